/**
 * The processes a conformance run needs — the fixture backend and the
 * switchboard — started on loopback, logged to files, and always stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const ROOT = resolve(__dirname, '..', '..');
export const FIXTURE = join(ROOT, 'out', 'fixtures', 'conformance-server.js');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** Owns the processes of one run: each is stopped by stopAll(), whatever happened. */
export class ProcessGroup {
  private readonly children: ChildProcess[] = [];

  /** Starts `node args…`, writing its stdout and stderr to `logPath` (both stay readable). */
  start(args: readonly string[], logPath: string, cwd: string = ROOT, env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const child = spawn(process.execPath, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logPath);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('error', (error) => log.write(`\n[spawn error] ${error.message}\n`));
    child.once('close', () => log.end());
    // Last resort if this process exits without stopAll(): never leave a server behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    this.children.push(child);
    return child;
  }

  /** Stops every process started here: SIGTERM, then SIGKILL after 5 s. */
  async stopAll(): Promise<void> {
    await Promise.all(this.children.splice(0).map((child) => stopProcess(child)));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Resolves with the first match of `pattern` in a stream, or rejects after `timeoutMs` or when the process exits. */
function waitForOutput(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolveMatch, reject) => {
    let seen = '';
    const source = child[stream];
    if (!source) {
      reject(new Error(`${what}: no ${stream} to read.`));
      return;
    }
    const finish = (error: Error | undefined, value?: string) => {
      clearTimeout(timer);
      source.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolveMatch(value ?? '');
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = pattern.exec(seen);
      if (match) finish(undefined, match[1] ?? match[0]);
    };
    const onExit = (code: number | null) => finish(new Error(`${what} exited (code ${code}) before it was ready. It printed:\n${seen}`));
    const timer = setTimeout(() => finish(new Error(`${what} was not ready after ${timeoutMs} ms. It printed:\n${seen}`)), timeoutMs);
    source.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Starts the conformance fixture over HTTP (`http`: Streamable HTTP at /mcp, `sse`: legacy SSE at /sse) and returns its URL. */
export async function startFixture(group: ProcessGroup, transport: 'http' | 'sse', marker: string, logPath: string): Promise<string> {
  const child = group.start([FIXTURE, '--transport', transport, '--port', '0', '--run', marker], logPath);
  return waitForOutput(child, 'stdout', /^(http:\/\/127\.0\.0\.1:\d+\/\w+)$/m, `The conformance fixture (${transport})`, 10_000);
}

/** The registry entry arguments that run the fixture over stdio, tagged with `marker`. */
export function fixtureStdioEntry(marker: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [FIXTURE, '--transport', 'stdio', '--run', marker] };
}

/**
 * Starts `<cli> --config … --port 0 --no-auth` (cli: dist/cli.js) and returns the Streamable HTTP URL it prints.
 * `pollAfterQuietMs`: have its HTTP front close call streams quiet that long, so 2025-11-25 clients poll them.
 */
export async function startSwitchboard(
  group: ProcessGroup,
  cli: string,
  configPath: string,
  cwd: string,
  logPath: string,
  pollAfterQuietMs?: number,
): Promise<string> {
  const poll = pollAfterQuietMs === undefined ? [] : ['--sse-poll', String(pollAfterQuietMs)];
  const child = group.start([cli, '--config', configPath, '--port', '0', '--no-auth', ...poll], logPath, cwd);
  return waitForOutput(child, 'stderr', /(http:\/\/127\.0\.0\.1:\d+\/mcp)/, 'The switchboard', 15_000);
}

/** Waits until the switchboard at `url` lists the fixture's tools, prompts and resources unprefixed. */
export async function waitUntilMounted(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  while (Date.now() < deadline) {
    const client = new Client({ name: 'conformance-readiness', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const [tools, prompts, resources] = await Promise.all([client.listTools(), client.listPrompts(), client.listResources()]);
      const mounted =
        tools.tools.some((tool) => tool.name === 'test_simple_text') &&
        prompts.prompts.some((prompt) => prompt.name === 'test_simple_prompt') &&
        resources.resources.some((resource) => resource.uri === 'test://static-text');
      if (mounted) return;
      last = `tools: ${tools.tools.map((tool) => tool.name).join(', ') || 'none'}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    } finally {
      await client.close().catch(() => undefined);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  throw new Error(`The switchboard at ${url} did not mount the fixture within ${timeoutMs} ms (last seen: ${last}).`);
}

/**
 * Processes still running whose command line carries `marker` (Linux only):
 * fixtures the switchboard started and did not end. Returns their pids.
 */
export function leftoverProcesses(marker: string): number[] {
  if (process.platform !== 'linux' || !existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (commandLine.includes(marker)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
