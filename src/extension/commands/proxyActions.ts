import * as vscode from 'vscode';
import type { SettingsScope } from '../settings/config';
import { Command, CONFIG_SECTION, ConfigKey } from '../constants';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import type { ProxyRow } from '../views/proxyModel';
import { BACK } from '../views/quickInputs';
import { stateIcon, stateLabel, toolCountLabel } from '../views/rowPresentation';
import { type ProxyArgument, proxyFromArgument } from './proxyArgument';

const PROXIES_SETTING = `${CONFIG_SECTION}.${ConfigKey.proxies}`;

/** Opens the settings file of `scope` at `mcpSwitchboard.proxies`, and at the proxy's own entry when named. */
export async function openProxySettings(scope: SettingsScope, proxyName?: string): Promise<void> {
  const command = scope === 'user' ? 'workbench.action.openSettingsJson' : 'workbench.action.openWorkspaceSettingsFile';
  // `edit: false`: VS Code's `edit: true` inserts an empty line into the object to type a new entry.
  await vscode.commands.executeCommand(command, { revealSetting: { key: PROXIES_SETTING, edit: false } });
  if (proxyName !== undefined) revealProxyEntry(proxyName);
}

/** Puts the cursor on the proxy's key in the settings file just opened. Names need no JSON escaping. */
function revealProxyEntry(name: string): void {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const text = editor.document.getText();
  const setting = text.indexOf(`"${PROXIES_SETTING}"`);
  const entry = setting === -1 ? -1 : text.indexOf(`"${name}"`, setting);
  if (entry === -1) return;
  const position = editor.document.positionAt(entry + 1);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Edit in Settings: the settings file that holds the proxy, at its entry. */
export async function editProxyInSettings(context: SwitchboardContext, argument: ProxyArgument): Promise<void> {
  const row = await proxyFromArgument(context, argument, 'Proxy to edit');
  if (row) await openProxySettings(row.scope, row.name);
}

/** Remove Proxy: deletes it from every settings scope that defines it, after confirmation. */
export async function removeProxy(context: SwitchboardContext, argument: ProxyArgument): Promise<void> {
  const row = await proxyFromArgument(context, argument, 'Proxy to remove');
  if (!row) return;
  const confirmed = await context.askUser({
    message: `Remove the proxy "${row.name}"?`,
    detail: `It ${row.transport === 'stdio' ? 'runs' : 'connects to'}: ${row.target}\n\nIt will be deleted from ${row.scope} settings${row.configured?.overridesUser ? ' and from user settings' : ''}.`,
    allow: 'Remove',
    modal: true,
  });
  if (!confirmed) return;
  try {
    const scopes = await context.settings.remove(row.name);
    await context.signIns.forgetProxy(row.name); // Its tokens and client registration go with it.
    context.log.info(`Removed proxy "${row.name}" from ${scopes.join(' and ')} settings.`);
  } catch (error) {
    await showError(`Proxy "${row.name}" was not removed: ${messageOf(error)}`, { title: 'Open Settings', run: () => openProxySettings(row.scope) });
  }
  context.config.refresh();
}

/** Restart Proxy: reconnects one backend (a stdio one is started again). */
export async function restartProxy(context: SwitchboardContext, argument: ProxyArgument): Promise<void> {
  const row = await proxyFromArgument(context, argument, 'Proxy to restart', (candidate) => candidate.configured !== undefined);
  if (!row) return;
  await context.link.ensureRunning();
  context.link.send({ type: 'restartProxy', name: row.name });
  context.log.info(`Restarting proxy "${row.name}".`);
}

/** Enable Proxy / Disable Proxy / Toggle: flips `enabled` in the scope the proxy is saved in. */
export async function setProxyEnabled(context: SwitchboardContext, argument: ProxyArgument, enabled: boolean | 'toggle'): Promise<void> {
  const row = await proxyFromArgument(context, argument, 'Proxy to enable or disable', (candidate) => candidate.configured !== undefined);
  if (!row?.configured) return;
  const next = enabled === 'toggle' ? row.configured.entry.enabled === false : enabled;
  try {
    await context.settings.update(row.name, row.scope, (entry) => {
      const { enabled: _previous, ...rest } = entry;
      // Enabled is the default, so enabling removes the key instead of writing `true`.
      return next ? rest : { ...rest, enabled: false };
    });
  } catch (error) {
    await showError(`Proxy "${row.name}" was not ${next ? 'enabled' : 'disabled'}: ${messageOf(error)}`, {
      title: 'Open Settings',
      run: () => openProxySettings(row.scope),
    });
    return;
  }
  context.config.refresh();
}

interface ProxyPickItem extends vscode.QuickPickItem {
  readonly row: ProxyRow;
}
interface ActionItem extends vscode.QuickPickItem {
  readonly run: () => Promise<void>;
}

/** List Proxies: every proxy with its state and tools; picking one offers what can be done with it. */
export async function listProxies(context: SwitchboardContext): Promise<void> {
  const rows = context.model.rows();
  if (rows.length === 0) {
    const choice = await vscode.window.showInformationMessage('No proxies are configured yet.', 'Add Proxy…');
    if (choice) await vscode.commands.executeCommand(Command.addProxy);
    return;
  }
  const picked = await context.quickInputs.pick<ProxyPickItem>({
    title: 'MCP Switchboard: Proxies',
    placeholder: 'Pick a proxy to act on it',
    items: rows.map((row) => ({
      label: `$(${stateIcon(row).id}) ${row.name}`,
      description: `${row.state === 'connected' ? toolCountLabel(row) : stateLabel(row)} · ${row.scope}`,
      detail: row.problem ? `${row.target} — ${row.problem}` : row.target,
      row,
    })),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked === undefined || picked === BACK) return;
  const { row } = picked;
  const enabled = row.configured?.entry.enabled !== false;
  const actions: ActionItem[] = [
    ...(row.configured
      ? [
          { label: '$(debug-restart) Restart', run: () => restartProxy(context, row.name) },
          { label: enabled ? '$(circle-slash) Disable' : '$(check) Enable', run: () => setProxyEnabled(context, row.name, !enabled) },
        ]
      : []),
    { label: '$(edit) Edit in Settings', run: () => openProxySettings(row.scope, row.name) },
    { label: '$(trash) Remove', run: () => removeProxy(context, row.name) },
    { label: '$(output) Show Logs', run: async () => context.log.show() },
  ];
  const action = await context.quickInputs.pick({ title: `Proxy "${row.name}"`, placeholder: row.target, items: actions });
  if (action !== undefined && action !== BACK) await action.run();
}
