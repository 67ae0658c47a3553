/**
 * Shared steps of the extension's feature tests. They run inside a real VS Code
 * extension host with the packaged extension: real settings, the real server
 * process, real backends (server-everything over stdio).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_SECTION, ConfigKey, EXTENSION_ID, MCP_SERVER_LABEL } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import type { ProxyState, ProxyStatus } from '../../src/core/status';

/** The repository: the nearest folder above the compiled tests whose package.json is this extension's. */
export const REPO = (() => {
  for (let folder = __dirname; folder !== dirname(folder); folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mcp-switchboard') return folder;
  }
  throw new Error(`No mcp-switchboard package.json above ${__dirname}.`);
})();

export const EVERYTHING = join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

/** Node for command proxies: the extension host's own binary when it is Node (code-server), else node on PATH. */
export const NODE = /^node(\.exe)?$/i.test(basename(process.execPath)) ? process.execPath : 'node';

/** A proxy entry that runs the reference server over stdio. */
export const everything = { command: NODE, args: [EVERYTHING, 'stdio'] };

/** The id VS Code gives the switchboard's MCP server: `<extension id>/<label>`. */
export const MCP_SERVER_ID = `${EXTENSION_ID}/${MCP_SERVER_LABEL}`;

export async function activateExtension(): Promise<SwitchboardTestApi> {
  const extension = vscode.extensions.getExtension<SwitchboardTestApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this VS Code.`);
  return await extension.activate();
}

/**
 * Activates the extension and starts its server, as opening the view or VS
 * Code's MCP client would: the server starts lazily, and a test file run alone
 * must not rely on an earlier one having started it.
 */
export async function activateAndStartServer(): Promise<SwitchboardTestApi> {
  const api = await activateExtension();
  await api.whenServerReady();
  return api;
}

/** Polls until `check` returns something other than undefined/false, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}.`);
    }
    await sleep(100);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Scope = 'user' | 'workspace';
const TARGET: Record<Scope, vscode.ConfigurationTarget> = {
  user: vscode.ConfigurationTarget.Global,
  workspace: vscode.ConfigurationTarget.Workspace,
};

/** Writes `mcpSwitchboard.proxies` of one scope as a person editing settings.json would. */
export async function writeProxies(scope: Scope, proxies: Record<string, unknown> | undefined): Promise<void> {
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update(ConfigKey.proxies, proxies, TARGET[scope]);
}

export function proxiesIn(scope: Scope): Record<string, unknown> {
  const inspected = vscode.workspace.getConfiguration(CONFIG_SECTION).inspect<Record<string, unknown>>(ConfigKey.proxies);
  return (scope === 'user' ? inspected?.globalValue : inspected?.workspaceValue) ?? {};
}

export async function setSetting(key: string, value: unknown, scope: Scope = 'user'): Promise<void> {
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update(key, value, TARGET[scope]);
}

/** Where VS Code keeps this profile's user settings.json (as it opens it). */
export async function userSettingsPath(): Promise<string> {
  await vscode.commands.executeCommand('workbench.action.openSettingsJson');
  const path = vscode.window.activeTextEditor?.document.uri.fsPath;
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  if (!path) throw new Error('VS Code opened no user settings.json.');
  return path;
}

/**
 * Makes the window run a switchboard of its own (mcpSwitchboard.sharedSwitchboard
 * off), for the suites about that process: its restarts, its backends' process
 * groups. Resolves once it runs.
 */
export async function useOwnSwitchboard(api: SwitchboardTestApi): Promise<void> {
  await setSetting(ConfigKey.sharedSwitchboard, false);
  await api.whenServerReady();
  await waitFor("the window's own switchboard", () => api.phase().kind === 'running' && !isSharedUrl(api));
}

/** Puts mcpSwitchboard.sharedSwitchboard back to its default (on) and resolves once the window is attached again. */
export async function useDefaultSwitchboard(api: SwitchboardTestApi): Promise<void> {
  await setSetting(ConfigKey.sharedSwitchboard, undefined);
  await api.whenServerReady();
  await waitFor('the window on the shared switchboard', () => api.phase().kind === 'running' && isSharedUrl(api));
}

/** Whether the window's MCP endpoint is its view on the shared switchboard. */
function isSharedUrl(api: SwitchboardTestApi): boolean {
  const phase = api.phase();
  return phase.kind === 'running' && phase.url.includes('/w/');
}

/** Empties both scopes, so each suite starts from no proxies, all tools listed and no profiles. */
export async function resetSettings(): Promise<void> {
  await writeProxies('user', undefined);
  if (vscode.workspace.workspaceFolders?.length) await writeProxies('workspace', undefined);
  await setSetting(ConfigKey.agentCanAddProxies, undefined);
  for (const key of [ConfigKey.toolSurface, ConfigKey.toolSurfaceThreshold, ConfigKey.profiles]) {
    if (vscode.workspace.getConfiguration(CONFIG_SECTION).inspect(key)?.globalValue !== undefined) await setSetting(key, undefined);
  }
}

/** Waits until the server reports proxy `name` in `state` and returns its status. */
export function waitForProxy(api: SwitchboardTestApi, name: string, state: ProxyState, timeoutMs = 30_000): Promise<ProxyStatus> {
  return waitFor(
    `proxy "${name}" to be ${state} (now: ${JSON.stringify(api.statuses().find((status) => status.name === name)?.state)})`,
    () => api.statuses().find((status) => status.name === name && status.state === state),
    timeoutMs,
  );
}

/** Waits until the server no longer reports proxy `name`. */
export function waitForProxyGone(api: SwitchboardTestApi, name: string): Promise<true> {
  return waitFor(`proxy "${name}" to be unmounted`, () => !api.statuses().some((status) => status.name === name));
}

/** The language-model tool VS Code made of a switchboard tool (its name ends with the front name). */
export function lmTool(frontName: string): vscode.LanguageModelToolInformation | undefined {
  return vscode.lm.tools.find((tool) => tool.name.startsWith('mcp_') && tool.name.endsWith(`_${frontName}`));
}

/**
 * Starts the switchboard in VS Code's MCP client, as Copilot would, and waits
 * for its tools. In a window that has just opened, VS Code may not know the
 * extension's server definition yet: `workbench.mcp.startServer` then returns
 * at once (measured: 54 ms) and starts nothing, and a call 2.5 s later works.
 * So it is asked again until the management tools are listed.
 */
export async function startInVsCodeMcp(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await vscode.commands.executeCommand('workbench.mcp.startServer', MCP_SERVER_ID, { waitForLiveTools: true });
    if (lmTool('list_proxies')) return;
    if (Date.now() > deadline) throw new Error(`VS Code listed none of the switchboard's tools within ${timeoutMs} ms of asking it to start the server.`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The text parts of a tool result, joined. */
export function textOf(result: vscode.LanguageModelToolResult): string {
  return result.content
    .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : ''))
    .join('\n');
}

/** Collects the quick inputs the extension shows, in order, so a test can type into each. */
export class QuickInputRecorder implements vscode.Disposable {
  private readonly shown: vscode.QuickInput[] = [];
  private readonly waiting: ((input: vscode.QuickInput) => void)[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(api: SwitchboardTestApi) {
    this.subscription = api.onDidShowQuickInput((input) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(input);
      else this.shown.push(input);
    });
  }

  /** The next input the extension shows. */
  async next<T extends vscode.InputBox | vscode.QuickPick<vscode.QuickPickItem>>(timeoutMs = 10_000): Promise<T> {
    const ready = this.shown.shift();
    if (ready) return ready as T;
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('No quick input was shown.')), timeoutMs);
      this.waiting.push((input) => {
        clearTimeout(timer);
        resolve(input as T);
      });
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** Presses Enter in the quick input, through the workbench command a keybinding would run. */
export async function accept(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

/** Types `value` into an input box and presses Enter; resolves with the validation message shown, if any. */
export async function typeAndEnter(box: vscode.InputBox, value: string): Promise<string | undefined> {
  box.value = value;
  await sleep(50);
  await accept();
  await sleep(150);
  const message = box.validationMessage;
  return typeof message === 'string' ? message : message?.message;
}

/** Picks the item whose label contains `label` and presses Enter. */
export async function pick(quickPick: vscode.QuickPick<vscode.QuickPickItem>, label: string): Promise<void> {
  const item = quickPick.items.find((candidate) => candidate.label.includes(label));
  if (!item) throw new Error(`No item "${label}" in ${quickPick.items.map((candidate) => candidate.label).join(', ')}.`);
  quickPick.activeItems = [item];
  await sleep(50);
  await accept();
}
