import * as vscode from 'vscode';
import type { ProxyStatus } from '../../core/status';
import { Command, PROXIES_VIEW_ID } from '../constants';
import type { ProfileRow, ProxyModel, ProxyRow } from './proxyModel';
import type { ProxySettings } from '../settings/proxySettings';
import { shortReason, stateLabel, stateThemeIcon, toolCountLabel } from './rowPresentation';
import type { ServerPhase } from '../server/switchboardLink';
import { withToolShown } from '../settings/toolFilterEdit';

type GroupKind = 'tools' | 'resources' | 'prompts';

/** The nodes of the Proxies view. Proxies are looked up by name so a refresh never shows stale data. */
export type ProxyTreeNode =
  | { readonly kind: 'proxy'; readonly name: string }
  | { readonly kind: 'group'; readonly proxy: string; readonly group: GroupKind }
  | { readonly kind: 'tool'; readonly proxy: string; readonly tool: ProxyStatus['tools'][number] }
  | { readonly kind: 'resource'; readonly proxy: string; readonly resource: ProxyStatus['resources'][number] }
  | { readonly kind: 'prompt'; readonly proxy: string; readonly prompt: ProxyStatus['prompts'][number] }
  | { readonly kind: 'profiles' }
  | { readonly kind: 'profile'; readonly profile: string };

const GROUPS: readonly { group: GroupKind; label: string; icon: string }[] = [
  { group: 'tools', label: 'Tools', icon: 'tools' },
  { group: 'resources', label: 'Resources', icon: 'file' },
  { group: 'prompts', label: 'Prompts', icon: 'comment-discussion' },
];

const SCOPE_LABEL = { user: 'user', workspace: 'workspace' } as const;

export class ProxyTreeData implements vscode.TreeDataProvider<ProxyTreeNode> {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly model: ProxyModel) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: ProxyTreeNode): ProxyTreeNode[] {
    if (!node) {
      const proxies: ProxyTreeNode[] = this.model.rows().map((row) => ({ kind: 'proxy', name: row.name }));
      return this.model.profiles().length > 0 ? [...proxies, { kind: 'profiles' }] : proxies;
    }
    if (node.kind === 'profiles') return this.model.profiles().map((row) => ({ kind: 'profile', profile: row.name }));
    if (node.kind === 'profile') return [];
    const status = this.model.row('proxy' in node ? node.proxy : node.name)?.status;
    if (!status) return [];
    if (node.kind === 'proxy') {
      return GROUPS.filter(({ group }) => status[group].length > 0).map(({ group }) => ({ kind: 'group', proxy: node.name, group }));
    }
    if (node.kind !== 'group') return [];
    switch (node.group) {
      case 'tools':
        return status.tools.map((tool) => ({ kind: 'tool', proxy: node.proxy, tool }));
      case 'resources':
        return status.resources.map((resource) => ({ kind: 'resource', proxy: node.proxy, resource }));
      case 'prompts':
        return status.prompts.map((prompt) => ({ kind: 'prompt', proxy: node.proxy, prompt }));
    }
  }

  getTreeItem(node: ProxyTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'proxy': {
        const row = this.model.row(node.name);
        return row ? proxyItem(row) : new vscode.TreeItem(node.name);
      }
      case 'group': {
        const status = this.model.row(node.proxy)?.status;
        const { label, icon } = GROUPS.find((candidate) => candidate.group === node.group) ?? { label: node.group, icon: 'list-flat' };
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        // Ids stay the same while the proxy's lists change, so an open group stays open.
        item.id = groupId(node.proxy, node.group);
        item.description = node.group === 'tools' && status ? toolsGroupCount(status) : String(status?.[node.group].length ?? 0);
        item.iconPath = new vscode.ThemeIcon(icon);
        item.contextValue = `group.${node.group}`;
        return item;
      }
      case 'tool': {
        const { tool } = node;
        // The tool's own name, as tools.include/exclude spell it; the title goes to the tooltip.
        const item = new vscode.TreeItem(tool.name);
        item.id = `${groupId(node.proxy, 'tools')}/${tool.name}`;
        const pinned = tool.pinned === true && !tool.excluded;
        item.description = tool.excluded ? 'hidden' : pinned ? `pinned · ${tool.frontName}` : tool.frontName;
        if (pinned) item.iconPath = new vscode.ThemeIcon('pinned');
        const pinNote = pinned ? '\n\n$(pinned) Pinned (`tools.pin`): listed to clients even when the tool surface searches.' : '';
        item.tooltip = markdown(`**${tool.frontName || tool.name}**${tool.title ? ` — ${tool.title}` : ''}${tool.description ? `\n\n${tool.description}` : ''}${pinNote}\n\nUntick to hide it from clients (writes \`tools.exclude\`).`);
        item.checkboxState = {
          state: tool.excluded ? vscode.TreeItemCheckboxState.Unchecked : vscode.TreeItemCheckboxState.Checked,
          tooltip: tool.excluded ? 'Show this tool to clients' : 'Hide this tool from clients',
        };
        item.contextValue = 'tool';
        return item;
      }
      case 'resource': {
        const { resource } = node;
        const item = new vscode.TreeItem(resource.title ?? resource.name);
        item.id = `${groupId(node.proxy, 'resources')}/${resource.uri}`;
        item.description = resource.uri;
        item.tooltip = `${resource.uri}\n\nClick to read it through the switchboard.`;
        item.iconPath = new vscode.ThemeIcon('file');
        item.contextValue = 'resource';
        item.command = { command: Command.openResource, title: 'Open Resource', arguments: [node] };
        return item;
      }
      case 'prompt': {
        const { prompt } = node;
        const item = new vscode.TreeItem(prompt.name);
        item.id = `${groupId(node.proxy, 'prompts')}/${prompt.name}`;
        item.description = prompt.frontName;
        item.tooltip = [prompt.title, prompt.description].filter(Boolean).join(' — ') || prompt.frontName;
        item.iconPath = new vscode.ThemeIcon('comment');
        item.contextValue = 'prompt';
        return item;
      }
      case 'profiles': {
        const rows = this.model.profiles();
        const item = new vscode.TreeItem('Profiles', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = PROFILES_ID;
        item.description = String(rows.length);
        item.iconPath = new vscode.ThemeIcon('layers');
        item.tooltip = markdown(
          'Named tool sets from `mcpSwitchboard.profiles`, each served at its own path. **Copy Connection Config…** on a profile gives a client its URL.',
        );
        item.contextValue = 'profiles';
        return item;
      }
      case 'profile': {
        const row = this.model.profiles().find((candidate) => candidate.name === node.profile);
        return row ? profileItem(row) : new vscode.TreeItem(node.profile);
      }
    }
  }

  getParent(node: ProxyTreeNode): ProxyTreeNode | undefined {
    switch (node.kind) {
      case 'proxy':
        return undefined;
      case 'group':
        return { kind: 'proxy', name: node.proxy };
      case 'profiles':
        return undefined;
      case 'profile':
        return { kind: 'profiles' };
      default:
        return { kind: 'group', proxy: node.proxy, group: `${node.kind}s` };
    }
  }
}

/** `proxy.enabled`, with `.url` for a proxy that can sign in (the Sign In / Sign Out menu items) and `.signIn` while it waits for that (the inline button). */
function enabledContext(row: ProxyRow): string {
  const url = row.transport !== undefined && row.transport !== 'stdio' ? '.url' : '';
  const waiting = row.state === 'needs-sign-in' && !row.status?.signingIn ? '.signIn' : '';
  return `proxy.enabled${url}${waiting}`;
}

function proxyItem(row: ProxyRow): vscode.TreeItem {
  const hasChildren = row.status !== undefined && GROUPS.some(({ group }) => row.status?.[group].length);
  const item = new vscode.TreeItem(row.name, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = proxyId(row.name);
  item.iconPath = stateThemeIcon(row);
  item.description = describeRow(row);
  item.tooltip = tooltipOf(row);
  const enabled = row.configured?.entry.enabled !== false;
  item.contextValue = row.state === 'invalid' ? 'proxy.invalid' : enabled ? enabledContext(row) : 'proxy.disabled';
  item.accessibilityInformation = { label: `${row.name}, ${stateLabel(row)}, ${item.description}` };
  return item;
}

const PROFILES_ID = 'profiles';

const SURFACE_LABEL = { all: 'all tools', search: 'search', auto: 'auto' } as const;

/** A profile: its surface and path; one that does not parse says why, like an invalid proxy entry. */
function profileItem(row: ProfileRow): vscode.TreeItem {
  const item = new vscode.TreeItem(row.name);
  item.id = `${PROFILES_ID}/${row.name}`;
  if (!row.profile) {
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.description = `invalid: ${shortReason(row.problem ?? 'not a valid profile')}`;
    item.tooltip = markdown(
      `**${escapeMarkdown(row.name)}** — not served: its entry in \`mcpSwitchboard.profiles\` is not valid.\n\n- ${escapeMarkdown(row.problem ?? '')}\n\nFix it in settings; it is served as soon as it is valid.`,
    );
    item.contextValue = 'profile.invalid';
    return item;
  }
  item.iconPath = new vscode.ThemeIcon('layers');
  item.description = `${SURFACE_LABEL[row.surface]} · ${row.path}`;
  const globs = (label: string, list: readonly string[] | undefined) => (list?.length ? [`- ${label}: ${list.map((glob) => `\`${glob}\``).join(', ')}`] : []);
  const lines = [
    `**${row.name}** — served at \`${row.url ?? row.path}\``,
    '',
    `- Surface: ${row.surface}${row.ownSurface ? '' : ' (from mcpSwitchboard.toolSurface)'}`,
    ...globs('Include', row.profile.include),
    ...globs('Exclude', row.profile.exclude),
    ...(row.profile.include?.length || row.profile.exclude?.length ? [] : ['- Tools: all of them']),
    '',
    'Copy Connection Config (the copy icon) gives a client this URL.',
  ];
  item.tooltip = markdown(lines.join('\n'));
  item.contextValue = 'profile';
  item.accessibilityInformation = { label: `Profile ${row.name}, ${row.surface}, served at ${row.path}` };
  return item;
}

/** Tree item ids: proxy names cannot hold "/" or ":", so no proxy's id can be another's group. */
function proxyId(name: string): string {
  return `proxy:${name}`;
}

function groupId(proxy: string, group: GroupKind): string {
  return `${proxyId(proxy)}/${group}`;
}

/** The Tools group's count, in the same terms as the proxy's row: "16 of 17 shown" when some are hidden. */
function toolsGroupCount(status: ProxyStatus): string {
  const total = status.tools.length;
  return status.toolCount === total ? String(total) : `${status.toolCount} of ${total} shown`;
}

/** transport · tool count · scope; instead of the tool count, the state, or what is wrong in a few words. */
function describeRow(row: ProxyRow): string {
  const parts: string[] = [];
  if (row.transport) parts.push(row.transport);
  if (row.state === 'connected') parts.push(toolCountLabel(row));
  else if (row.state === 'error' && row.problem) parts.push(`error: ${shortReason(row.problem)}`);
  else if (row.state === 'invalid') parts.push(`invalid: ${shortReason(row.problems?.[0] ?? row.problem ?? 'not a valid entry')}`);
  else parts.push(stateLabel(row));
  // What of a valid entry the server could not apply as written (overrides), as an invalid entry says its problems.
  const problems = row.state === 'invalid' ? [] : (row.status?.problems ?? []);
  if (problems.length > 0) parts.push(problems.length === 1 ? `problem: ${shortReason(problems[0] ?? '')}` : `${problems.length} problems`);
  parts.push(SCOPE_LABEL[row.scope]);
  return parts.join(' · ');
}

function tooltipOf(row: ProxyRow): vscode.MarkdownString {
  if (row.state === 'invalid') return invalidTooltipOf(row);
  const lines = [`**${row.name}** — ${stateLabel(row)}`, '', `\`${row.target}\``, ''];
  const details: string[] = [];
  if (row.transport) details.push(`Transport: ${row.transport}`);
  details.push(`Saved in: ${SCOPE_LABEL[row.scope]} settings${row.configured?.overridesUser ? ' (hides the user entry of the same name)' : ''}`);
  if (row.status) {
    details.push(`Prefix: \`${row.status.prefix || '(none)'}\``);
    if (row.status.prefixNote) details.push(row.status.prefixNote);
    if (row.state === 'connected' && row.status.toolCount !== row.status.tools.length) {
      details.push(`Tools: ${row.status.toolCount} of ${row.status.tools.length} shown to clients (the others are hidden by tools.include/exclude)`);
    }
    details.push(`${row.state === 'error' ? 'Failing since' : 'Since'}: ${new Date(row.status.since).toLocaleString()}`);
  }
  if (row.problem) details.push(`${row.state === 'disabled' ? '' : 'Last error: '}${row.problem}`);
  const problems = row.status?.problems ?? [];
  const problemLines = problems.length
    ? ['', problems.length === 1 ? 'Not applied as written:' : `${problems.length} things not applied as written:`, '', ...problems.map((problem) => `- ${escapeMarkdown(problem)}`), '', 'Fix them in settings (Edit in Settings).']
    : [];
  return markdown([...lines, ...details.map((detail) => `- ${detail}`), ...problemLines].join('\n'));
}

/** An entry that does not parse: every problem, in words, and where to fix it. */
function invalidTooltipOf(row: ProxyRow): vscode.MarkdownString {
  const problems = row.problems?.length ? row.problems : [row.problem ?? 'The entry is not valid.'];
  const lines = [
    `**${escapeMarkdown(row.name)}** — not started: its entry in ${SCOPE_LABEL[row.scope]} settings is not valid.`,
    '',
    problems.length === 1 ? 'Problem:' : `${problems.length} problems:`,
    '',
    ...problems.map((problem) => `- ${escapeMarkdown(problem)}`),
    '',
    'Fix it in settings (Edit in Settings); it starts as soon as it is valid.',
  ];
  return markdown(lines.join('\n'));
}

/** Markdown would read `*`, `_`, backticks and brackets in a message as formatting. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|]/g, (character) => `\\${character}`);
}

function markdown(text: string): vscode.MarkdownString {
  const value = new vscode.MarkdownString(text);
  value.supportThemeIcons = true;
  return value;
}

function phaseMessage(phase: ServerPhase): string | undefined {
  switch (phase.kind) {
    case 'restarting':
      return `The switchboard server stopped (${phase.reason}); restarting in ${Math.ceil(phase.inMs / 1000)} s…`;
    case 'failed':
      return `The switchboard server is not running: ${phase.reason}. Run "MCP Switchboard: Restart Server" to try again.`;
    default:
      return undefined;
  }
}

/** Creates the Proxies view, keeps it in step with the model, and turns tool checkboxes into settings edits. */
export function createProxyTree(
  model: ProxyModel,
  settings: ProxySettings,
  onDidBecomeVisible: () => void,
): { data: ProxyTreeData; disposable: vscode.Disposable } {
  const data = new ProxyTreeData(model);
  const view = vscode.window.createTreeView(PROXIES_VIEW_ID, { treeDataProvider: data, showCollapseAll: true, manageCheckboxStateManually: true });
  const subscriptions = [
    view,
    model.onDidChange(() => {
      data.refresh();
      view.message = phaseMessage(model.phase) ?? '';
    }),
    view.onDidChangeVisibility((event) => event.visible && onDidBecomeVisible()),
    view.onDidChangeCheckboxState((event) => void applyToolCheckboxes(event.items, model, settings)),
  ];
  if (view.visible) onDidBecomeVisible();
  return { data, disposable: vscode.Disposable.from(...subscriptions) };
}

/** Writes `tools.exclude` (and `include`) for each tool checkbox the user ticked or unticked. */
export async function applyToolCheckboxes(
  items: readonly (readonly [ProxyTreeNode, vscode.TreeItemCheckboxState])[],
  model: ProxyModel,
  settings: ProxySettings,
): Promise<void> {
  for (const [node, state] of items) {
    if (node.kind !== 'tool') continue;
    const row = model.row(node.proxy);
    if (!row?.configured) continue;
    const shown = state === vscode.TreeItemCheckboxState.Checked;
    try {
      await settings.update(node.proxy, row.scope, (entry) => withToolShown(entry, node.tool.name, shown));
    } catch (error) {
      const choice = await vscode.window.showErrorMessage(
        `Could not ${shown ? 'show' : 'hide'} tool "${node.tool.name}": ${error instanceof Error ? error.message : String(error)}`,
        'Open Settings',
      );
      if (choice) await vscode.commands.executeCommand(Command.editProxyInSettings, { kind: 'proxy', name: node.proxy });
    }
  }
}
