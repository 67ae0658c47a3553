/**
 * Sharing: three stdio clients (as Claude Desktop and others run the
 * switchboard) each with the same five stdio proxies. Before: each client
 * runs its own `--stdio` switchboard, which runs its own five backends.
 * After: each runs `connect`, and all three share the user's switchboard and
 * one process per backend. Counted from /proc (every process this run
 * started carries its marker), memory summed over them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchContext, waitForTools } from '../lib/context';
import { type Footprint, footprintLines, footprintOf } from '../lib/footprint';
import { CLI, type Endpoint, EVERYTHING, freePort } from '../lib/processes';
import type { Line } from '../lib/report';

const CLIENTS = 3;
const PROXIES = 5;

export async function measureSharing(context: BenchContext): Promise<Line[]> {
  const { processes } = context;
  const section = `sharing: ${CLIENTS} stdio clients × ${PROXIES} stdio proxies`;
  const run = async (mode: 'own' | 'connect'): Promise<Footprint> => {
    const label = processes.label(`sharing-${mode}`);
    const folder = processes.folderFor(label);
    const proxies = Object.fromEntries(
      Array.from({ length: PROXIES }, (_, index) => [`p${index + 1}`, { command: process.execPath, args: [EVERYTHING, 'stdio'], env: processes.env(label) }]),
    );
    const registry = processes.writeRegistry(label, proxies);
    // The user's switchboard keeps its files in this run's folder, on a port of its own.
    const userEnv = { XDG_CONFIG_HOME: join(folder, 'config'), XDG_RUNTIME_DIR: join(folder, 'run') };
    const args = mode === 'own' ? [CLI, '--stdio', '--config', registry] : [CLI, 'connect', '--config', registry, '--port', String(await freePort())];
    const clients: Endpoint[] = [];
    try {
      for (let index = 0; index < CLIENTS; index++) clients.push(await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, ...args], 60_000, userEnv));
      await Promise.all(clients.map((client) => waitForTools(client.client, Array.from({ length: PROXIES }, (_, index) => `p${index + 1}_echo`), 60_000)));
      return footprintOf(processes, label);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      if (mode === 'connect') stopUserSwitchboard(join(userEnv.XDG_RUNTIME_DIR, 'mcp-switchboard', 'switchboard.json')); // Else it ends after its grace.
      await processes.closeGroup(label);
    }
  };
  const own = await run('own');
  const shared = await run('connect');
  return footprintLines(
    section,
    { backends: 'backend processes (own switchboards → connect)', processes: 'all processes, clients not counted (switchboards, bridges, backends)' },
    own,
    shared,
    PROXIES,
  );
}

/** Ends the user's switchboard a run started, named by its discovery file. */
function stopUserSwitchboard(discoveryPath: string): void {
  try {
    const { pid } = JSON.parse(readFileSync(discoveryPath, 'utf8')) as { pid: number };
    process.kill(pid, 'SIGTERM');
  } catch {
    // Not started, or gone already.
  }
}
