import * as vscode from 'vscode';
import { Command, COPILOT_TOOL_LIMIT, PROXIES_VIEW_ID } from './constants';
import type { ProxyModel } from './proxyModel';

/**
 * `$(plug) 4/5 · 57 tools` in the status bar: how many proxies are connected
 * and how many tools clients see. Warns when a proxy fails and when the tools
 * exceed what Copilot sends per request.
 */
export function createStatusBar(model: ProxyModel): { item: vscode.StatusBarItem; disposable: vscode.Disposable } {
  const item = vscode.window.createStatusBarItem('mcpSwitchboard.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'MCP Switchboard';
  item.command = Command.listProxies;

  const render = () => {
    const { connected, total, tools, failing } = model.summary();
    const phase = model.phase;
    if (total === 0 && phase.kind === 'idle') {
      item.hide();
      return;
    }
    const tooMany = tools > COPILOT_TOOL_LIMIT;
    const serverDown = phase.kind === 'failed' || phase.kind === 'restarting';
    item.text = `$(${serverDown ? 'debug-disconnect' : 'plug'}) ${connected}/${total} · ${tools} ${tools === 1 ? 'tool' : 'tools'}${tooMany ? ' $(warning)' : ''}`;
    item.backgroundColor =
      failing.length > 0 || serverDown ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;

    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = { enabledCommands: [`${PROXIES_VIEW_ID}.focus`, Command.showLogs, Command.restartServer] };
    tooltip.appendMarkdown(`**MCP Switchboard** — ${connected} of ${total} proxies connected, ${tools} tools.\n\n`);
    if (serverDown) tooltip.appendMarkdown(`$(debug-disconnect) The server is not running. [Restart](command:${Command.restartServer})\n\n`);
    if (failing.length > 0) tooltip.appendMarkdown(`$(error) Failing: ${failing.join(', ')}. [Show logs](command:${Command.showLogs})\n\n`);
    if (tooMany) {
      tooltip.appendMarkdown(
        `$(warning) ${tools} tools is more than the ${COPILOT_TOOL_LIMIT} Copilot sends per request, so some will be left out. [Untick tools you do not need](command:${PROXIES_VIEW_ID}.focus)\n\n`,
      );
    }
    item.tooltip = tooltip;
    item.show();
  };
  render();
  return { item, disposable: vscode.Disposable.from(item, model.onDidChange(render)) };
}
