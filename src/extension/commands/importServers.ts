import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeTarget, type ProxyEntry, type Registry } from '../../core/registry';
import { parseRegistryDocument } from '../../core/registryFormats';
import type { SettingsScope } from '../config';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { hasWorkspace } from '../proxySettings';
import { BACK } from '../quickInputs';
import { openProxySettings } from './proxyActions';

interface SourceItem extends vscode.QuickPickItem {
  readonly uri: vscode.Uri | undefined;
}
interface ServerItem extends vscode.QuickPickItem {
  readonly name: string;
  readonly entry: ProxyEntry;
}
interface ScopeItem extends vscode.QuickPickItem {
  readonly scope: SettingsScope;
}

const TITLE = 'Import Servers';

/** Where Claude Desktop keeps its config on this platform. */
function claudeDesktopConfig(): vscode.Uri {
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return vscode.Uri.file(path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json'));
    case 'win32':
      return vscode.Uri.file(path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json'));
    default:
      return vscode.Uri.file(path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Claude', 'claude_desktop_config.json'));
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function sourceItems(): Promise<SourceItem[]> {
  const candidates: SourceItem[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
    candidates.push({ label: '$(folder) Workspace mcp.json', description: folder.name, detail: uri.fsPath, uri });
  }
  const claude = claudeDesktopConfig();
  candidates.push({ label: '$(hubot) Claude Desktop', detail: claude.fsPath, uri: claude });
  const found: SourceItem[] = [];
  for (const candidate of candidates) if (candidate.uri && (await exists(candidate.uri))) found.push(candidate);
  return [...found, { label: '$(file) Choose a File…', detail: 'mcp.json, claude_desktop_config.json or a switchboard proxies.json', uri: undefined }];
}

/**
 * Import Servers: reads VS Code's mcp.json ("servers"), Claude Desktop's config
 * ("mcpServers") or any registry file, lets the user pick servers, and saves
 * them as proxies in the chosen settings scope.
 */
export async function importServers(context: SwitchboardContext, file?: vscode.Uri): Promise<void> {
  let step = 1;
  let registry: Registry | undefined;
  let chosen: readonly ServerItem[] = [];
  if (file) {
    registry = await readRegistry(context, file);
    if (!registry) return;
    step = 2;
  }
  while (step <= 3) {
    if (step === 1) {
      const picked = await context.quickInputs.pick<SourceItem>({ title: TITLE, step, totalSteps: 3, placeholder: 'Import from', items: await sourceItems() });
      if (picked === undefined) return;
      if (picked === BACK) continue;
      const source = picked.uri ?? (await vscode.window.showOpenDialog({ title: TITLE, canSelectMany: false, filters: { JSON: ['json', 'jsonc'] } }))?.[0];
      if (!source) continue;
      registry = await readRegistry(context, source);
      if (!registry) return;
    } else if (step === 2) {
      const picked = await context.quickInputs.pick<ServerItem>({
        title: TITLE,
        step,
        totalSteps: 3,
        placeholder: 'Servers to import',
        canPickMany: true,
        items: Object.entries(registry ?? {}).map(([name, entry]) => ({
          label: name,
          description: context.model.row(name) ? 'replaces the proxy of that name' : '',
          detail: describeTarget(entry),
          picked: true,
          name,
          entry,
        })),
      });
      if (picked === undefined) return;
      if (picked === BACK) {
        step--;
        continue;
      }
      if (picked.length === 0) return;
      chosen = picked;
    } else {
      const picked = await context.quickInputs.pick<ScopeItem>({
        title: TITLE,
        step,
        totalSteps: 3,
        placeholder: hasWorkspace() ? 'Where to save them' : 'Where to save them: no folder is open, so only user settings are available',
        items: [
          ...(hasWorkspace() ? [{ scope: 'workspace' as const, label: '$(folder) Workspace settings', detail: 'Only for this workspace.' }] : []),
          { scope: 'user' as const, label: '$(account) User settings', detail: 'Available in every window.' },
        ],
      });
      if (picked === undefined) return;
      if (picked === BACK) {
        step--;
        continue;
      }
      await save(context, chosen, picked.scope);
      return;
    }
    step++;
  }
}

/** Reads the servers of a file; reports and returns undefined when there are none to import. */
async function readRegistry(context: SwitchboardContext, source: vscode.Uri): Promise<Registry | undefined> {
  const fileName = path.basename(source.fsPath);
  let registry: Registry;
  try {
    const document = parseRegistryDocument(new TextDecoder().decode(await vscode.workspace.fs.readFile(source)), fileName);
    for (const note of document.notes) context.log.warn(`Import from ${source.fsPath}: ${note}`);
    if (document.notes.length > 0) {
      void vscode.window
        .showWarningMessage(`${document.notes.length} of the servers in ${fileName} needed changes or were skipped; the log says which.`, 'Show Logs')
        .then((choice) => choice && context.log.show());
    }
    registry = document.registry;
  } catch (error) {
    await showError(`Nothing was imported: ${messageOf(error)}`, { title: 'Open File', run: () => vscode.window.showTextDocument(source) });
    return undefined;
  }
  if (Object.keys(registry).length === 0) {
    void vscode.window.showInformationMessage(`${fileName} has no servers that can be imported.`);
    return undefined;
  }
  return registry;
}

async function save(context: SwitchboardContext, servers: readonly ServerItem[], scope: SettingsScope): Promise<void> {
  try {
    await context.settings.upsertMany(new Map(servers.map((server) => [server.name, server.entry])), scope);
  } catch (error) {
    await showError(`The servers were not imported: ${messageOf(error)}`, { title: 'Open Settings', run: () => openProxySettings(scope) });
    return;
  }
  context.config.refresh();
  context.supervisor.ensureRunning().catch((error: unknown) => context.log.error(`The switchboard server did not start: ${messageOf(error)}`));
  void vscode.window.showInformationMessage(`Imported ${servers.length} ${servers.length === 1 ? 'server' : 'servers'} into ${scope} settings.`);
}
