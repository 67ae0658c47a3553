/**
 * Starts the processes the benchmark measures (the switchboard, backends, the
 * SDK's reference HTTP server) and makes sure none outlives the run.
 *
 * Every process started here, directly or by a switchboard as its backend,
 * carries MCP_SWITCHBOARD_BENCH=<run id>:<label> in its environment; after a
 * switchboard stops, and when the run ends (also on failure or Ctrl-C), any
 * process still carrying this run's id is ended — and counted, because a
 * backend the switchboard left behind is a finding in itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sleep } from './measure';

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
export const MISBEHAVING = join(ROOT, 'out', 'fixtures', 'misbehaving-server.js');

const MARKER = 'MCP_SWITCHBOARD_BENCH';
const CLIENT_INFO = { name: 'switchboard-bench', version: '1.0.0' };
/** How much of a process's stderr to keep for error messages. */
const STDERR_TAIL = 16_384;

/** A connected SDK client and what is needed to end it. */
export interface Endpoint {
  readonly client: Client;
  /** The process behind a stdio client (undefined over HTTP). */
  readonly pid: number | undefined;
  /** Over HTTP: the session the client opened, and the protocol version it agreed. */
  readonly session?: { readonly sessionId: string; readonly protocolVersion: string };
  stderr(): string;
  close(): Promise<void>;
}

/** A registry entry in the switchboard's proxies.json shape. */
export interface ProxyEntry {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface HttpServer {
  readonly url: string;
  readonly token: string | undefined;
  readonly pid: number;
  stderr(): string;
  stop(): Promise<void>;
}

function appendTail(tail: string, chunk: string): string {
  const joined = tail + chunk;
  return joined.length > STDERR_TAIL ? joined.slice(-STDERR_TAIL) : joined;
}

/** A port that was free a moment ago (for servers that cannot be told to take port 0). */
export async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Ends a child with SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export class Processes {
  readonly runId = `${process.pid}-${Date.now().toString(36)}`;
  readonly folder = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  /** What closes each open client or server, with the label of its group. */
  private readonly closers = new Map<() => Promise<void>, string>();
  private counter = 0;
  /** Processes of this run still alive after their group was closed, by label. */
  readonly leftBehind = new Map<string, number>();

  /** A label unique in this run, for one group of processes. */
  label(kind: string): string {
    return `${kind}-${++this.counter}`;
  }

  /** The environment entry that marks a process as started by this run for `label`. */
  env(label: string): Record<string, string> {
    return { [MARKER]: `${this.runId}:${label}` };
  }

  /** A folder of this run's for `label` (removed with the run's files). */
  folderFor(label: string): string {
    const path = join(this.folder, label);
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** Writes a registry file and returns its path. */
  writeRegistry(label: string, proxies: Readonly<Record<string, ProxyEntry | { readonly url: string } | { readonly command: string; readonly args: readonly string[]; readonly env?: Record<string, string> }>>): string {
    const path = join(this.folder, `${label}.json`);
    writeFileSync(path, JSON.stringify({ proxies }, null, 2));
    return path;
  }

  /** Starts `command` as an MCP server over stdio and connects a client to it. */
  async stdioClient(label: string, command: string, args: readonly string[], connectTimeoutMs = 60_000, extraEnv: Record<string, string> = {}): Promise<Endpoint> {
    const transport = new StdioClientTransport({ command, args: [...args], env: { ...this.env(label), ...extraEnv }, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr = appendTail(stderr, chunk.toString('utf8'))));
    const client = new Client(CLIENT_INFO);
    const close = async (): Promise<void> => {
      this.closers.delete(close);
      await client.close().catch(() => undefined);
    };
    this.closers.set(close, label);
    try {
      await client.connect(transport, { timeout: connectTimeoutMs });
    } catch (error) {
      await close();
      throw new Error(`${label}: could not connect over stdio (${String(error)}). It printed:\n${stderr}`);
    }
    return { client, pid: transport.pid ?? undefined, stderr: () => stderr, close };
  }

  /** Connects a client to a Streamable HTTP URL, with the bearer token when there is one. */
  async httpClient(label: string, url: string, token: string | undefined): Promise<Endpoint> {
    const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
    const client = new Client(CLIENT_INFO);
    const close = async (): Promise<void> => {
      this.closers.delete(close);
      await client.close().catch(() => undefined);
    };
    this.closers.set(close, label);
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
    await client.connect(transport);
    const session = { sessionId: transport.sessionId ?? '', protocolVersion: transport.protocolVersion ?? '' };
    return { client, pid: undefined, session, stderr: () => '', close };
  }

  /** Starts `node dist/cli.js --config FILE --port 0` (token on) and waits for its URL and token. */
  async startSwitchboardHttp(label: string, registryPath: string, nodeArgs: readonly string[] = []): Promise<HttpServer> {
    const child = spawn(process.execPath, [...nodeArgs, CLI, '--config', registryPath, '--port', '0'], {
      env: { ...process.env, ...this.env(label) },
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: this.folder,
    });
    return await this.waitForHttp(label, child, (stderr) => {
      const url = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(stderr)?.[0];
      const token = /token[:=]?\s*(\S+)/i.exec(stderr)?.[1];
      return url !== undefined && token !== undefined ? { url, token } : undefined;
    });
  }

  /** Starts server-everything's own Streamable HTTP server (the SDK's transport), the reference for the HTTP front. */
  async startEverythingHttp(label: string): Promise<HttpServer> {
    const port = await freePort();
    const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
      env: { ...process.env, ...this.env(label), PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: this.folder,
    });
    return await this.waitForHttp(label, child, (stderr) =>
      /listening on port/i.test(stderr) ? { url: `http://127.0.0.1:${port}/mcp`, token: undefined } : undefined,
    );
  }

  private async waitForHttp(
    label: string,
    child: ChildProcess,
    parse: (stderr: string) => { url: string; token: string | undefined } | undefined,
  ): Promise<HttpServer> {
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    const stop = async (): Promise<void> => {
      this.closers.delete(stop);
      await stopChild(child);
    };
    this.closers.set(stop, label);
    try {
      const found = await new Promise<{ url: string; token: string | undefined }>((resolveFound, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label} did not start in 30 s. It printed:\n${stderr}`)), 30_000);
        child.stderr?.on('data', (chunk: string) => {
          stderr = appendTail(stderr, chunk);
          const parsed = parse(stderr);
          if (parsed !== undefined) {
            clearTimeout(timer);
            resolveFound(parsed);
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${label} exited with code ${String(code)}. It printed:\n${stderr}`));
        });
      });
      return { ...found, pid: child.pid ?? 0, stderr: () => stderr, stop };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  /** Process ids (other than this one) whose environment marks them as this run's, for `label` or for any label. */
  pidsOf(label?: string): number[] {
    const needle = label === undefined ? `${MARKER}=${this.runId}:` : `${MARKER}=${this.runId}:${label}\0`;
    const found: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(needle)) found.push(Number(entry));
      } catch {
        // gone, or not ours to read
      }
    }
    return found;
  }

  /**
   * Waits up to `graceMs` for the processes of `label` to exit on their own, then
   * ends the rest; returns how many had to be ended.
   */
  async reap(label?: string, graceMs = 3_000): Promise<number> {
    const deadline = Date.now() + graceMs;
    while (this.pidsOf(label).length > 0 && Date.now() < deadline) await sleep(50);
    const left = this.pidsOf(label);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return left.length;
  }

  /**
   * Closes the clients and servers of `label`, then ends and counts (in leftBehind)
   * any process of that label still running: backends their switchboard did not end.
   */
  async closeGroup(label: string): Promise<void> {
    const closers = [...this.closers].filter(([, owner]) => owner === label).map(([close]) => close);
    await Promise.all(closers.map((close) => close()));
    const left = await this.reap(label);
    if (left > 0) {
      this.leftBehind.set(label, left);
      process.stderr.write(`bench: ${left} process(es) of ${label} still ran 3 s after it was closed; ended them\n`);
    }
  }

  /** Closes every client and server still open, then ends anything of this run left over. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.closers.keys()].map((close) => close()));
    await this.reap(undefined, 2_000);
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** Last resort, from an exit handler: ends every process of this run at once. */
  killAllNow(): void {
    for (const pid of this.pidsOf()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Resident memory of a process in MB (VmRSS, and the peak VmHWM), from /proc. */
export function residentMemory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kilobytes('VmRSS') / 1024, peakMb: kilobytes('VmHWM') / 1024 };
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in ms; NaN when it is gone. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Process ids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}
