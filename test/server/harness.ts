/**
 * Runs the built switchboard (dist/cli.js) as a real process with a real
 * registry file, and connects the SDK's own client to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
export const MISBEHAVING = join(ROOT, 'out', 'fixtures', 'misbehaving-server.js');

/** A registry entry that runs server-everything over stdio. */
export const everythingStdio = { command: process.execPath, args: [EVERYTHING, 'stdio'] };

/**
 * Registry entries for real tool catalogs from npm (the reference servers),
 * each listing its tools without credentials or network: files in `folder`,
 * a memory graph kept in `folder`, sequential thinking, and GitHub's 2025
 * server with a dummy token (listing needs none that works).
 */
export function realCatalogs(folder: string): Record<string, { command: string; args: string[]; env?: Record<string, string> }> {
  const server = (name: string) => join(ROOT, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');
  return {
    everything: everythingStdio,
    filesystem: { command: process.execPath, args: [server('server-filesystem'), folder] },
    memory: { command: process.execPath, args: [server('server-memory')], env: { MEMORY_FILE_PATH: join(folder, 'memory.jsonl') } },
    thinking: { command: process.execPath, args: [server('server-sequential-thinking')] },
    github: { command: process.execPath, args: [server('server-github')], env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'dummy-token-for-listing' } },
  };
}

/** A registry entry that runs the misbehaving fixture over stdio with extra flags. */
export function misbehaving(...flags: string[]) {
  return { command: process.execPath, args: [MISBEHAVING, '--transport', 'stdio', ...flags] };
}

/** A switchboard process serving HTTP, with what a client needs to reach it. */
export interface RunningSwitchboard {
  readonly url: string;
  readonly token: string | undefined;
  readonly configPath: string;
  readonly process: ChildProcess;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** A connected SDK client; closed by stop(). */
  connect(options?: ClientOptions): Promise<Client>;
  stop(): Promise<void>;
}

/** Makes a temporary folder, removed by the returned function. */
export function temporaryFolder(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts `dist/cli.js` over HTTP with `registry` written to a fresh proxies.json (or the raw text given). */
export async function startSwitchboard(
  registry: Record<string, unknown> | string,
  extraArgs: string[] = [],
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<RunningSwitchboard> {
  const folder = temporaryFolder();
  const configPath = join(folder.path, 'proxies.json');
  writeFileSync(configPath, typeof registry === 'string' ? registry : JSON.stringify({ proxies: registry }, null, 2));
  const child = spawn(process.execPath, [...nodeArgs, CLI, '--config', configPath, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: folder.path,
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  const ready = new Promise<{ url: string; token: string | undefined }>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`The switchboard did not start in time. It printed:\n${stderr}`)), 10_000);
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      const token = /Token: (\S+)/.exec(stderr)?.[1];
      if (url && (token || stderr.includes('Authentication: off'))) {
        clearTimeout(timer);
        resolveReady({ url, token });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The switchboard exited with code ${code}. It printed:\n${stderr}`));
    });
  });
  const { url, token } = await ready;
  const clients: Client[] = [];
  return {
    url,
    token,
    configPath,
    process: child,
    stderr: () => stderr,
    async connect(options) {
      const client = new Client({ name: 'switchboard-test', version: '1.0.0' }, options);
      const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await stopProcess(child);
      folder.remove();
    },
  };
}

/** Starts `dist/cli.js --stdio` and connects a client to it over its pipes. */
export async function startStdioSwitchboard(
  registry: Record<string, unknown>,
  options?: ClientOptions,
): Promise<{ client: Client; stderr: () => string; stop: () => Promise<void> }> {
  const folder = temporaryFolder();
  const configPath = join(folder.path, 'proxies.json');
  writeFileSync(configPath, JSON.stringify({ proxies: registry }));
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--stdio', '--config', configPath], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'switchboard-test', version: '1.0.0' }, options);
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    async stop() {
      await client.close().catch(() => undefined);
      folder.remove();
    },
  };
}

/** Ends a process with SIGTERM, then SIGKILL if it lingers. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Waits until the switchboard lists a tool of that name. */
export async function waitForTool(client: Client, name: string, timeoutMs = 10_000): Promise<void> {
  await eventually(`tool ${name}`, async () => (await client.listTools()).tools.some((tool) => tool.name === name) || undefined, timeoutMs);
}

/** Writes a file synchronously (for hand edits of the registry in tests). */
export function writeRegistry(path: string, registry: Record<string, unknown>): void {
  writeFileSync(path, JSON.stringify({ proxies: registry }, null, 2));
}

/** A port that was free a moment ago, for backends that need one given. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs server-everything over HTTP (`sse` or `streamableHttp`) and waits until it accepts connections. */
export async function startEverythingHttp(mode: 'sse' | 'streamableHttp'): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, mode], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await eventually(`server-everything ${mode} to listen (it printed: ${stderr})`, () => /port/i.test(stderr) || undefined);
  return { url: `http://127.0.0.1:${port}/${mode === 'sse' ? 'sse' : 'mcp'}`, stop: () => stopProcess(child) };
}

/** The text of a tool result's content, joined. */
export function text(result: unknown): string {
  const content = (result as { content?: { text?: string }[] }).content ?? [];
  return content.map((item) => item.text ?? '').join('\n');
}

/** What list_proxies says of each proxy. */
export interface ProxySummary {
  name: string;
  state: string;
  transport: string;
  scope: string;
  prefix: string;
  toolCount: number;
  error?: string;
}

/** Calls list_proxies and returns its structured content. */
export async function listProxies(client: Client): Promise<ProxySummary[]> {
  const result = await client.callTool({ name: 'list_proxies', arguments: {} });
  return (result.structuredContent as { proxies: ProxySummary[] }).proxies;
}

/** A raw HTTP answer: what a test of the front's guards looks at. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** POSTs `body` as it is, with exactly these headers (and an MCP client's Accept), to see what the front answers. */
export function rawPost(url: string, body: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { accept: 'application/json, text/event-stream', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.once('error', reject);
    request.end(body);
  });
}

/** Process ids whose command line contains `marker` (Linux: read from /proc). */
export function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}
