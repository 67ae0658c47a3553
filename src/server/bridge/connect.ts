import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ConnectOptions } from '../cli/arguments';
import { type Discovery, liveDiscovery, readDiscovery } from '../shared/discovery';
import { ensurePrivateFolder, userFiles } from '../shared/userFiles';
import { findVsCodeSettings, vscodeSettingsCandidates } from '../shared/vscodeSettingsPath';

/** How long `connect` waits for the user's switchboard it started to say where it listens. */
const START_TIMEOUT_MS = 15_000;

/**
 * `mcp-switchboard connect`: a stdio MCP server for clients that run only
 * those, which is a bridge to the user's shared switchboard over Streamable
 * HTTP: it attaches to the one running, or starts it in the background
 * first. Every message passes through as it is (requests both ways,
 * notifications, cancellation); it ends when its client closes stdin.
 */
export async function connect(options: ConnectOptions): Promise<void> {
  const files = userFiles();
  const config = registryOf(options);
  let running = await attachable(files.discovery, options.config === undefined ? undefined : config);
  if (!running) {
    await startInBackground(config, options.port, files.log);
    running = await waitForSwitchboard(files.discovery);
  }
  await bridge(running, options.profile, files.discovery);
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
async function attachable(discoveryPath: string, asked: string | undefined): Promise<Discovery | undefined> {
  const found = await liveDiscovery(discoveryPath, 0);
  if (!found) return undefined; // None, or one that was killed: a new one replaces its file.
  if (asked !== undefined && resolve(found.config) !== asked) {
    throw new Error(`The user's switchboard (pid ${found.pid}) serves ${found.config}, not ${asked}: connect without --config to use it, or stop it first.`);
  }
  return found;
}

/** Starts `mcp-switchboard --user` detached from this process, its output appended to the user's log. */
async function startInBackground(config: string, port: number, logPath: string): Promise<void> {
  await ensurePrivateFolder(dirname(logPath));
  const log = openSync(logPath, 'a', 0o600);
  const cli = process.argv[1] ?? '';
  const child = spawn(process.execPath, [cli, '--user', '--config', config, '--port', String(port)], {
    detached: true,
    stdio: ['ignore', log, log],
    windowsHide: true,
  });
  child.unref();
}

/** Waits for the discovery file of a live switchboard (the one started, or the one that won the port). */
async function waitForSwitchboard(discoveryPath: string): Promise<Discovery> {
  const found = await liveDiscovery(discoveryPath, START_TIMEOUT_MS);
  if (!found) throw new Error(`The user's switchboard did not start within ${START_TIMEOUT_MS / 1000} s; see ${userFiles().log}.`);
  return found;
}

/**
 * A fetch that sends the switchboard's token and, refused with 401, reads the
 * discovery file once for a rotated one and tries again: the user may rotate
 * the token while clients are connected, and connect is theirs to follow it.
 */
function followingRotation(initial: string, discoveryPath: string): FetchLike {
  let token = initial;
  return async (input, init) => {
    const send = () => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const response = await send();
    if (response.status !== 401) return response;
    const rotated = (await readDiscovery(discoveryPath))?.token;
    if (rotated === undefined || rotated === token) return response;
    await response.body?.cancel();
    token = rotated;
    return await send();
  };
}

/** Passes messages between this process's stdin/stdout and the switchboard, until stdin closes. */
async function bridge(running: Discovery, profile: string | undefined, discoveryPath: string): Promise<void> {
  const url = new URL(running.url);
  if (profile !== undefined) url.pathname = `${url.pathname}/${encodeURIComponent(profile)}`;
  const remote = new StreamableHTTPClientTransport(url, { fetch: followingRotation(running.token, discoveryPath) });
  const local = new StdioServerTransport();
  let initializeId: string | number | undefined;

  const end = async (code: number) => {
    await remote.terminateSession().catch(() => undefined);
    await remote.close().catch(() => undefined);
    process.exit(code);
  };
  local.onmessage = (message) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializeId = message.id;
    remote.send(message).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(`mcp-switchboard connect: ${reason}\n`);
      if (isJSONRPCRequest(message)) {
        void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `The user's switchboard at ${running.url} did not take the request: ${reason}` } });
      }
    });
  };
  remote.onmessage = (message) => {
    // The protocol version goes into every later request's header, as the SDK's own client does.
    if ('id' in message && message.id === initializeId && 'result' in message) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') remote.setProtocolVersion(version);
    }
    void local.send(message);
  };
  remote.onerror = (error) => process.stderr.write(`mcp-switchboard connect: ${error.message}\n`);
  local.onclose = () => void end(0);
  process.stdin.once('end', () => void end(0));
  await remote.start();
  await local.start();
}
