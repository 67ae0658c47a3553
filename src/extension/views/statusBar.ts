import * as vscode from 'vscode';
import { Command, COPILOT_TOOL_LIMIT, MANAGEMENT_TOOL_NAMES, PROXIES_VIEW_ID, SEARCH_TOOL_NAMES } from '../constants';
import type { ProxyModel, ProxySummary } from './proxyModel';

const FOCUS_VIEW = `${PROXIES_VIEW_ID}.focus`;

/** The states in the order the tooltip names them, and the words it uses. */
const STATE_WORDS: readonly [keyof ProxySummary['byState'], string][] = [
  ['connected', 'connected'],
  ['connecting', 'connecting'],
  ['stopped', 'stopped'],
  ['disabled', 'disabled'],
  ['needs-sign-in', 'waiting for you to sign in'],
  ['error', 'failing'],
  ['invalid', 'with invalid settings'],
];

/**
 * The status bar, shown from activation: `$(plug) No MCP servers` until a
 * proxy is configured, then `$(plug) 4/5 connected · 60 tools`: the entries in
 * settings that are connected, of all of them (as the tree lists them), and
 * the tools clients see (the proxies' and the switchboard's own; `· search`
 * when they are found by search rather than listed). Warns when a
 * proxy fails and when the tools exceed what Copilot sends per request.
 */
export function createStatusBar(model: ProxyModel): { item: vscode.StatusBarItem; disposable: vscode.Disposable } {
  const item = vscode.window.createStatusBarItem('mcpSwitchboard.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'MCP Switchboard';

  const render = () => {
    const summary = model.summary();
    const phase = model.phase;
    const serverDown = phase.kind === 'failed' || phase.kind === 'restarting';
    const icon = serverDown ? '$(debug-disconnect)' : '$(plug)';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = { enabledCommands: [FOCUS_VIEW, Command.signIn, Command.addProxy, Command.importServers, Command.showLogs, Command.restartServer] };
    const restart = `$(debug-disconnect) The switchboard server is not running. [Restart](command:${Command.restartServer})\n\n`;

    if (summary.total === 0) {
      item.text = `${icon} No MCP servers`;
      item.command = FOCUS_VIEW;
      item.backgroundColor = serverDown ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      tooltip.appendMarkdown('**MCP Switchboard** — no MCP servers are mounted yet.\n\n');
      if (serverDown) tooltip.appendMarkdown(restart);
      tooltip.appendMarkdown(
        `[Add a proxy](command:${Command.addProxy}) by URL or command, or [import your servers](command:${Command.importServers}) from \`.vscode/mcp.json\` or Claude Desktop.`,
      );
      item.tooltip = tooltip;
      item.accessibilityInformation = {
        label: `MCP Switchboard: no MCP servers are mounted yet${serverDown ? ', and the switchboard server is not running' : ''}. Opens the Proxies view to add one.`,
      };
      item.show();
      return;
    }

    const { connected } = summary.byState;
    const running = phase.kind === 'running';
    const ownTools = running ? MANAGEMENT_TOOL_NAMES.length : 0;
    const tools = running ? summary.proxyTools + ownTools : 0;
    const { mode, threshold } = model.surface;
    // In search mode clients are listed only the own, search and pinned tools, and find the rest.
    const searching = running && (mode === 'search' || (mode === 'auto' && tools > threshold));
    const listed = ownTools + SEARCH_TOOL_NAMES.length + summary.pinnedTools;
    const tooMany = !searching && tools > COPILOT_TOOL_LIMIT;
    const toolsWord = tools === 1 ? 'tool' : 'tools';
    const entries = `${summary.total} ${summary.total === 1 ? 'proxy' : 'proxies'}`;
    const states = STATE_WORDS.filter(([state]) => summary.byState[state] > 0)
      .map(([state, words]) => `${summary.byState[state]} ${words}`)
      .join(', ');

    const signIns = summary.needsSignIn.length;
    item.text = `${icon} ${connected}/${summary.total} connected · ${tools} ${toolsWord}${searching ? ' · search' : ''}${signIns > 0 ? ` · $(account) ${signIns}` : ''}${tooMany ? ' $(warning)' : ''}`;
    item.command = Command.listProxies;
    item.backgroundColor =
      summary.failing.length > 0 || signIns > 0 || serverDown ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;

    tooltip.appendMarkdown(`**MCP Switchboard** — ${connected} of ${entries} connected.\n\n`);
    if (connected < summary.total) tooltip.appendMarkdown(`${entries} in settings: ${states}.\n\n`);
    if (searching) {
      tooltip.appendMarkdown(
        `Clients are listed ${listed} tools and find the others by search (\`mcpSwitchboard.toolSurface\`: ${mode}): ${SEARCH_TOOL_NAMES.map((name) => `\`${name}\``).join(' and ')} reach all ${summary.proxyTools} tools of the connected proxies; also listed are the ${summary.pinnedTools} pinned and the switchboard's own ${ownTools}.\n\n`,
      );
    } else if (running) {
      tooltip.appendMarkdown(
        `Clients see ${tools} ${toolsWord}: ${summary.proxyTools} from the connected proxies and the switchboard's own ${ownTools} (${MANAGEMENT_TOOL_NAMES.map((name) => `\`${name}\``).join(', ')}).\n\n`,
      );
    } else if (!serverDown) {
      tooltip.appendMarkdown('The switchboard server is starting.\n\n');
    }
    if (serverDown) tooltip.appendMarkdown(restart);
    if (signIns > 0) {
      tooltip.appendMarkdown(`$(account) Waiting for you to sign in: ${summary.needsSignIn.join(', ')}. [Sign in](command:${Command.signIn})\n\n`);
    }
    if (summary.failing.length > 0) tooltip.appendMarkdown(`$(error) Failing: ${summary.failing.join(', ')}. [Show logs](command:${Command.showLogs})\n\n`);
    if (tooMany) {
      tooltip.appendMarkdown(
        `$(warning) ${tools} tools is more than the ${COPILOT_TOOL_LIMIT} Copilot sends per request, so some will be left out. [Untick tools you do not need](command:${FOCUS_VIEW})\n\n`,
      );
    }
    item.tooltip = tooltip;

    const label = [`MCP Switchboard: ${entries} in settings, ${states}; clients see ${tools} ${toolsWord}${searching ? `, by search, with ${listed} listed` : ''}`];
    if (serverDown) label.push('the switchboard server is not running');
    if (signIns > 0) label.push(`waiting for you to sign in: ${summary.needsSignIn.join(', ')}`);
    if (summary.failing.length > 0) label.push(`failing: ${summary.failing.join(', ')}`);
    if (tooMany) label.push(`more tools than the ${COPILOT_TOOL_LIMIT} Copilot sends per request`);
    item.accessibilityInformation = { label: `${label.join('; ')}. Lists the proxies.` };
    item.show();
  };
  render();
  return { item, disposable: vscode.Disposable.from(item, model.onDidChange(render)) };
}
