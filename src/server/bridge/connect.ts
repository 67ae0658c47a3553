import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ConnectOptions } from '../cli/arguments';
import { type Discovery, liveDiscovery } from '../../core/user/discovery';
import { ensurePrivateFolder, userFiles } from '../../core/user/userFiles';
import { findVsCodeSettings, vscodeSettingsCandidates } from '../shared/vscodeSettingsPath';
import { StdioBridge } from './stdioBridge';

/** How long `connect` waits for the user's switchboard it started to say where it listens. */
const START_TIMEOUT_MS = 15_000;

/**
 * `mcp-switchboard connect`: a stdio MCP server for clients that run only
 * those, which is a bridge to the user's shared switchboard over Streamable
 * HTTP: it attaches to the one running, or starts it in the background
 * first, and again after it went away (see StdioBridge).
 */
export async function connect(options: ConnectOptions): Promise<void> {
  const files = userFiles();
  const config = registryOf(options);
  const asked = options.config === undefined ? undefined : config;
  // Also after the switchboard went away: its successor serves the same registry.
  const attach = async (gonePid?: number) => {
    const running = await attachable(files.discovery, asked, gonePid);
    if (running) return running;
    const { failed } = await startInBackground(config, options.port, files.log);
    return await waitForSwitchboard(files.discovery, gonePid, failed);
  };
  const bridge = new StdioBridge({
    attach,
    discoveryPath: files.discovery,
    profile: options.profile,
    log: (line) => process.stderr.write(`mcp-switchboard connect: ${line}\n`),
  });
  await bridge.start(await attach());
}

/** The registry to serve: the one named, else VS Code's user settings. */
function registryOf(options: ConnectOptions): string {
  if (options.config !== undefined) {
    const named = resolve(options.config);
    if (!existsSync(named)) throw new Error(`${named} does not exist: connect serves a registry that is there (a proxies.json or a VS Code settings.json).`);
    return named;
  }
  const found = findVsCodeSettings();
  if (found) return found;
  throw new Error(`No VS Code user settings were found (looked at ${vscodeSettingsCandidates().join(', ')}): give --config FILE or --vscode-settings FILE.`);
}

/** The running user switchboard, if any; one that serves another registry than the one asked for is an error, not a silent switch. */
async function attachable(discoveryPath: string, asked: string | undefined, gonePid: number | undefined): Promise<Discovery | undefined> {
  const found = await liveDiscovery(discoveryPath, 0, gonePid);
  if (!found) return undefined; // None, or one that was killed: a new one replaces its file.
  if (asked !== undefined && resolve(found.config) !== asked) {
    throw new Error(`The user's switchboard (pid ${found.pid}) serves ${found.config}, not ${asked}: connect without --config to use it, or stop it first.`);
  }
  return found;
}

/**
 * Starts `mcp-switchboard --user` detached from this process, its output
 * appended to the user's log. `failed` says why it failed: the last line it
 * wrote, once it exits with an error (a port another program holds). One
 * that ends because another one runs already is no failure.
 */
async function startInBackground(config: string, port: number, logPath: string): Promise<{ failed: Promise<string> }> {
  await ensurePrivateFolder(dirname(logPath));
  const log = openSync(logPath, 'a', 0o600);
  const cli = process.argv[1] ?? '';
  try {
    const child = spawn(process.execPath, [cli, '--user', '--config', config, '--port', String(port)], {
      detached: true,
      stdio: ['ignore', log, log],
      windowsHide: true,
    });
    child.unref();
    const failed = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(error.message));
      child.once('exit', (code, signal) => {
        if (code === 0) return; // Another one holds the port and says so: its discovery file comes.
        void readFile(logPath, 'utf8').then(
          (text) => resolve(lastSaid(text) ?? `it ended with ${signal ?? `code ${code}`}`),
          () => resolve(`it ended with ${signal ?? `code ${code}`}`),
        );
      });
    });
    return { failed };
  } finally {
    closeSync(log); // The child has its own copy.
  }
}

/** The last line the switchboard wrote about itself, without its name. */
function lastSaid(log: string): string | undefined {
  const line = log.trimEnd().split('\n').reverse().find((candidate) => candidate.startsWith('mcp-switchboard: '));
  return line?.slice('mcp-switchboard: '.length);
}

/** Waits for the discovery file of a live switchboard (the one started, or the one that won the port), or for the one started to fail. */
async function waitForSwitchboard(discoveryPath: string, gonePid: number | undefined, failed: Promise<string>): Promise<Discovery> {
  const ended = failed.then((reason) => ({ reason }));
  const found = await Promise.race([liveDiscovery(discoveryPath, START_TIMEOUT_MS, gonePid), ended]);
  if (found && 'reason' in found) throw new Error(`The user's switchboard could not start: ${found.reason}`);
  if (!found) throw new Error(`The user's switchboard did not start within ${START_TIMEOUT_MS / 1000} s; see ${userFiles().log}.`);
  return found;
}
