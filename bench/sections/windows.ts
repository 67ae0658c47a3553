/**
 * Windows: three VS Code windows with the same five stdio proxies in their
 * user settings. Before: each window's extension forks its own server
 * (dist/server.js, over Node IPC, as the extension does by default), which
 * runs its own five backends. After: each window attaches to the user's
 * shared switchboard over its socket (mcpSwitchboard.sharedSwitchboard), and
 * all three share one process per backend. The windows are played by this
 * process, speaking the extension's messages; the extension hosts
 * themselves are not counted, being there either way.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../../package.json';
import { WindowClient, type WindowMessage } from '../../test/support/windowClient';
import type { BenchContext } from '../lib/context';
import { type Footprint, footprintLines, footprintOf } from '../lib/footprint';
import { CLI, EVERYTHING, freePort, ROOT } from '../lib/processes';
import type { Line } from '../lib/report';

const WINDOWS = 3;
const PROXIES = 5;
const SERVER = join(ROOT, 'dist', 'server.js');

export async function measureWindows(context: BenchContext): Promise<Line[]> {
  const { processes } = context;
  const section = `windows: ${WINDOWS} VS Code windows × ${PROXIES} stdio proxies`;
  const run = async (mode: 'forked' | 'shared'): Promise<Footprint> => {
    const label = processes.label(`windows-${mode}`);
    const folder = processes.folderFor(label);
    const proxies = Object.fromEntries(
      Array.from({ length: PROXIES }, (_, index) => [`p${index + 1}`, { command: process.execPath, args: [EVERYTHING, 'stdio'], env: processes.env(label) }]),
    );
    const registry = {
      type: 'registry',
      proxies: Object.fromEntries(Object.entries(proxies).map(([name, entry]) => [name, { entry, scope: 'user' }])),
      secrets: {},
    };
    const env = { ...process.env, ...processes.env(label), XDG_CONFIG_HOME: join(folder, 'config'), XDG_RUNTIME_DIR: join(folder, 'run') };
    const started: ChildProcess[] = [];
    const windows: WindowClient[] = [];
    try {
      if (mode === 'forked') {
        const connected = [];
        for (let index = 0; index < WINDOWS; index++) {
          const child = fork(SERVER, [], { env: { ...env, MCP_SWITCHBOARD_TOKEN: `bench-token-${index}-${'x'.repeat(32)}` }, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
          started.push(child);
          connected.push(
            new Promise<void>((resolve) =>
              child.on('message', (message: WindowMessage) => {
                if (message.type === 'state' && allConnected(message)) resolve();
              }),
            ),
          );
          child.send(registry);
        }
        await within(Promise.all(connected), 60_000, 'the forked servers to connect their proxies');
      } else {
        const registryPath = processes.writeRegistry(label, proxies);
        const daemon = spawn(process.execPath, [CLI, '--user', '--config', registryPath, '--port', String(await freePort())], { env, stdio: 'ignore' });
        started.push(daemon);
        const discovery = await discoveryOf(join(folder, 'run', 'mcp-switchboard', 'switchboard.json'), daemon.pid, 30_000);
        for (let index = 0; index < WINDOWS; index++) {
          const window = await WindowClient.open(join(folder, 'run', 'mcp-switchboard', 'windows.sock'));
          windows.push(window);
          const ready = await window.hello(discovery.token, `window${index}`, version);
          if (ready.type !== 'ready') throw new Error(`the shared switchboard refused a window: ${String(ready.reason)}`);
          window.send(registry);
        }
        await Promise.all(windows.map((window) => window.next((message) => message.type === 'state' && allConnected(message), 60_000)));
      }
      return footprintOf(processes, label);
    } finally {
      for (const window of windows) window.close();
      for (const child of started) child.kill('SIGTERM');
      await processes.closeGroup(label);
    }
  };
  const forked = await run('forked');
  const shared = await run('shared');
  return footprintLines(
    section,
    { backends: 'backend processes (a server per window → one shared)', processes: 'all processes, windows not counted (switchboards, backends)' },
    forked,
    shared,
    PROXIES,
  );
}

function allConnected(message: WindowMessage): boolean {
  const proxies = (message.proxies ?? []) as { state: string }[];
  return proxies.length === PROXIES && proxies.every((proxy) => proxy.state === 'connected');
}

/** The discovery file of the switchboard with this pid, once it is written. */
async function discoveryOf(path: string, pid: number | undefined, timeoutMs: number): Promise<{ token: string }> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    try {
      const found = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; token: string };
      if (found.pid === pid) return found;
    } catch {
      // Not written yet.
    }
    await new Promise((wait) => setTimeout(wait, 50));
  }
  throw new Error(`the shared switchboard wrote no discovery file within ${timeoutMs / 1000} s`);
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
