import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeTarget, type ProxyEntry, type Registry } from '../../core/registry/registry';
import { parseRegistryDocument, type RegistryFormat } from '../../core/registry/registryFormats';
import type { ConfiguredProxy, SettingsScope } from '../settings/config';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { mcpJsonKeysRunning, removeMcpJsonServers } from '../settings/mcpJsonFile';
import { hasWorkspace } from '../settings/proxySettings';
import { BACK } from '../views/quickInputs';
import { type SameServerReason, sameServer, sameServerWords } from '../settings/sameServer';
import { openProxySettings } from './proxyActions';

interface SourceItem extends vscode.QuickPickItem {
  readonly uri: vscode.Uri | undefined;
}
interface ServerItem extends vscode.QuickPickItem {
  readonly name: string;
  readonly entry: ProxyEntry;
  /** The existing proxy that runs the same server, when there is one. */
  readonly sameAs: { readonly proxy: ConfiguredProxy; readonly reason: SameServerReason } | undefined;
}
/** The file servers are imported from. */
interface ImportSource {
  readonly uri: vscode.Uri;
  readonly format: RegistryFormat;
  readonly registry: Registry;
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
  let source: ImportSource | undefined;
  let chosen: readonly ServerItem[] = [];
  let items: ServerItem[] = [];
  if (file) {
    source = await readSource(context, file);
    if (!source) return;
    step = 2;
  }
  while (step <= 3) {
    if (step === 1) {
      const picked = await context.quickInputs.pick<SourceItem>({ title: TITLE, step, totalSteps: 3, placeholder: 'Import from', items: await sourceItems() });
      if (picked === undefined) return;
      if (picked === BACK) continue;
      const uri = picked.uri ?? (await vscode.window.showOpenDialog({ title: TITLE, canSelectMany: false, filters: { JSON: ['json', 'jsonc'] } }))?.[0];
      if (!uri) continue;
      source = await readSource(context, uri);
      if (!source) return;
    } else if (step === 2) {
      items = serverItems(context, source?.registry ?? {});
      const picked = await context.quickInputs.pick<ServerItem>({
        title: TITLE,
        step,
        totalSteps: 3,
        placeholder: items.some((item) => item.sameAs) ? 'Servers to import (those a proxy already runs are unticked)' : 'Servers to import',
        canPickMany: true,
        items,
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
      if (!(await save(context, chosen, picked.scope))) return;
      const skipped = items.filter((item) => item.sameAs && !chosen.includes(item));
      const done = `Imported ${chosen.length} ${chosen.length === 1 ? 'server' : 'servers'} into ${picked.scope} settings.${skippedSentence(skipped)}`;
      if (source?.format === 'vscode') await offerToRemoveFromMcpJson(context, source.uri, [...chosen, ...skipped], done);
      else void vscode.window.showInformationMessage(done);
      return;
    }
    step++;
  }
}

/** The servers of a file as picker items: each ticked, unless an existing proxy already runs the same server. */
function serverItems(context: SwitchboardContext, registry: Registry): ServerItem[] {
  const proxies = [...context.config.current.proxies.values()];
  return Object.entries(registry).map(([name, entry]) => {
    const sameAs = proxies
      .map((proxy) => ({ proxy, reason: sameServer(proxy.entry, entry) }))
      .find((match): match is { proxy: ConfiguredProxy; reason: SameServerReason } => match.reason !== undefined);
    const description = sameAs
      ? `$(warning) ${sameServerWords(sameAs.reason)} proxy "${sameAs.proxy.name}": unticked, so it is skipped`
      : context.model.row(name)
        ? 'replaces the proxy of that name'
        : '';
    return { label: name, description, detail: describeTarget(entry), picked: sameAs === undefined, name, entry, sameAs };
  });
}

/** "Skipped "remote": the same URL as proxy "web"." for the servers left out because a proxy already runs them. */
function skippedSentence(skipped: readonly ServerItem[]): string {
  const reasons = skipped.flatMap((item) => (item.sameAs ? [`"${item.name}" (${sameServerWords(item.sameAs.reason)} proxy "${item.sameAs.proxy.name}")`] : []));
  return reasons.length === 0 ? '' : ` Skipped ${reasons.join(', ')}: the switchboard already runs ${reasons.length === 1 ? 'it' : 'them'}.`;
}

/**
 * After an import from VS Code's own mcp.json: VS Code runs that file's
 * servers itself, so the imported ones (and those skipped because a proxy
 * already runs them) would run twice. Asks, and only on yes removes them from
 * the file. `done` says what the import did; it leads the question.
 */
async function offerToRemoveFromMcpJson(context: SwitchboardContext, uri: vscode.Uri, runByProxies: readonly ServerItem[], done: string): Promise<void> {
  const entries = runByProxies.map((item) => item.sameAs?.proxy.entry ?? item.entry).filter((entry) => entry.enabled !== false);
  const fileName = vscode.workspace.asRelativePath(uri);
  let keys: string[];
  try {
    keys = mcpJsonKeysRunning(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), entries);
  } catch (error) {
    context.log.warn(`Import: ${uri.fsPath} could not be read again to offer removing the imported servers: ${messageOf(error)}`);
    keys = [];
  }
  if (keys.length === 0) {
    void vscode.window.showInformationMessage(done);
    return;
  }
  const them = keys.length === 1 ? 'it' : 'them';
  const remove = await context.askUser({
    message: `${done} Remove ${keys.length === 1 ? 'it' : `these ${keys.length} servers`} from ${fileName}?`,
    detail:
      `VS Code runs the servers in ${fileName} itself, so ${keys.map((key) => `"${key}"`).join(', ')} would run twice: there and behind the switchboard.\n\n` +
      `${keys.length === 1 ? 'Only that entry is' : 'Only those entries are'} taken out of "servers"; the rest of the file, comments included, stays as it is.`,
    allow: `Remove from ${path.basename(uri.fsPath)}`,
    modal: true,
  });
  if (!remove) {
    context.log.info(`Import: kept ${keys.join(', ')} in ${uri.fsPath}, as asked.`);
    return;
  }
  try {
    await removeMcpJsonServers(uri, keys);
  } catch (error) {
    await showError(`The servers were imported but not removed from ${fileName}: ${messageOf(error)}`, {
      title: 'Open File',
      run: () => vscode.window.showTextDocument(uri),
    });
    return;
  }
  context.log.info(`Import: removed ${keys.join(', ')} from ${uri.fsPath}; the switchboard runs ${them}.`);
  void vscode.window.showInformationMessage(`Removed ${keys.map((key) => `"${key}"`).join(', ')} from ${fileName}: the switchboard runs ${them} now.`);
}

/** Reads the servers of a file; reports and returns undefined when there are none to import. */
async function readSource(context: SwitchboardContext, uri: vscode.Uri): Promise<ImportSource | undefined> {
  const fileName = path.basename(uri.fsPath);
  let source: ImportSource;
  try {
    const document = parseRegistryDocument(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), fileName);
    for (const note of document.notes) context.log.warn(`Import from ${uri.fsPath}: ${note}`);
    if (document.notes.length > 0) {
      void vscode.window
        .showWarningMessage(`${document.notes.length} of the servers in ${fileName} needed changes or were skipped; the log says which.`, 'Show Logs')
        .then((choice) => choice && context.log.show());
    }
    source = { uri, format: document.format, registry: document.registry };
  } catch (error) {
    await showError(`Nothing was imported: ${messageOf(error)}`, { title: 'Open File', run: () => vscode.window.showTextDocument(uri) });
    return undefined;
  }
  if (Object.keys(source.registry).length === 0) {
    void vscode.window.showInformationMessage(`${fileName} has no servers that can be imported.`);
    return undefined;
  }
  return source;
}

/** Saves the servers as proxies; false (after saying why) when settings could not be written. */
async function save(context: SwitchboardContext, servers: readonly ServerItem[], scope: SettingsScope): Promise<boolean> {
  try {
    await context.settings.upsertMany(new Map(servers.map((server) => [server.name, server.entry])), scope);
  } catch (error) {
    await showError(`The servers were not imported: ${messageOf(error)}`, { title: 'Open Settings', run: () => openProxySettings(scope) });
    return false;
  }
  context.config.refresh();
  context.link.ensureRunning().catch((error: unknown) => context.log.error(`The switchboard server did not start: ${messageOf(error)}`));
  return true;
}
