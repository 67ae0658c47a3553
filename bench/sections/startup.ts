/**
 * Startup: time to the first complete tools/list with N backends that each
 * take a while to start (the misbehaving fixture's --start-delay), and with
 * one more backend that never answers.
 *
 * Direct: one SDK client per backend, all started at once; the time until the
 * last of them has listed its tools (the slowest backend). Switchboard: its
 * stdio front started with the same backends in its registry; the time until
 * a tools/list lists every backend's tools, re-listing on each list_changed
 * (as clients do) and every 100 ms in case one is missed. Both are counted from
 * the moment the processes are spawned, and both run the same processes: the
 * backend that never answers is started on the direct side too (and not waited
 * for), since on a small machine every process booting slows the others. The
 * switchboard's own start ("boot": until it answers initialize) is counted
 * too, since a user waits for it: the target is checked on ready − direct.
 * The CLI reads its registry and starts stdio backends before it loads the
 * engine, so a backend boots while the switchboard does. The last line puts a
 * URL that refuses connections beside the backend that hangs.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type BenchContext, listAllTools } from '../lib/context';
import { median, sleep } from '../lib/measure';
import { CLI, MISBEHAVING, type ProxyEntry } from '../lib/processes';
import { type Line, ms, signedMs, verdict } from '../lib/report';

const SECTION = 'startup: time to the first complete tools/list (stdio front)';
const STARTUP_TIMEOUT_MS = 60_000;
const BUDGET_MS = 50;
/**
 * Re-list this often besides on list_changed, in case a notification is lost.
 * Not faster: on two cores, a client parsing the list every few milliseconds
 * takes CPU from the very backends being waited for.
 */
const SAFETY_POLL_MS = 100;

/** Start delays spread over 100–300 ms, so the slowest backend is a real one. */
const startDelay = (index: number): number => 100 + ((index * 53) % 201);

interface StartupCase {
  readonly name: string;
  readonly live: number;
  readonly dead: boolean;
  /** Whether the budget applies to this line (DESIGN.md names 20 backends and the dead one). */
  readonly budgeted: boolean;
  /** Adds a URL proxy whose port refuses connections (switchboard side only: direct, it costs nothing). */
  readonly unreachable?: boolean;
}

interface SwitchboardStartup {
  readonly readyMs: number;
  readonly bootMs: number;
}

function liveEntry(index: number, env: Record<string, string>): ProxyEntry {
  return { command: process.execPath, args: [MISBEHAVING, '--transport', 'stdio', '--start-delay', String(startDelay(index))], env };
}

const deadEntry = (env: Record<string, string>): ProxyEntry => ({
  command: process.execPath,
  args: [MISBEHAVING, '--transport', 'stdio', '--never-initialize'],
  env,
});

async function directStartup(context: BenchContext, live: number, dead: boolean): Promise<number> {
  const { processes } = context;
  const label = processes.label('startup-direct');
  try {
    const started = performance.now();
    if (dead) {
      const entry = deadEntry({});
      // Never answers: started, never waited for; closing the group ends it.
      processes.stdioClient(label, entry.command, entry.args, STARTUP_TIMEOUT_MS).catch(() => undefined);
    }
    await Promise.all(
      Array.from({ length: live }, async (_, index) => {
        const entry = liveEntry(index, {});
        const endpoint = await processes.stdioClient(label, entry.command, entry.args, STARTUP_TIMEOUT_MS);
        await listAllTools(endpoint.client);
      }),
    );
    return performance.now() - started;
  } finally {
    await processes.closeGroup(label);
  }
}

async function switchboardStartup(context: BenchContext, live: number, dead: boolean, unreachable = false): Promise<SwitchboardStartup> {
  const { processes } = context;
  const label = processes.label('startup-switchboard');
  const env = processes.env(label);
  const proxies: Record<string, ProxyEntry | { url: string }> = {};
  for (let index = 0; index < live; index++) proxies[`b${index}`] = liveEntry(index, env);
  if (dead) proxies.dead = deadEntry(env);
  if (unreachable) proxies.gone = { url: 'http://127.0.0.1:9/mcp' };
  const registry = processes.writeRegistry(label, proxies);
  const expected = Array.from({ length: live }, (_, index) => `b${index}_echo`);
  try {
    const started = performance.now();
    const endpoint = await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, CLI, '--stdio', '--config', registry]);
    const bootMs = performance.now() - started;
    const readyMs = await firstCompleteList(endpoint.client, expected, started);
    return { readyMs, bootMs };
  } finally {
    await processes.closeGroup(label);
  }
}

/** The time (from `started`) at which a tools/list answer first held every expected name. */
async function firstCompleteList(client: Client, expected: readonly string[], started: number): Promise<number> {
  let readyAt: number | undefined;
  let failure: unknown;
  const check = async (): Promise<void> => {
    try {
      const listed = new Set((await listAllTools(client)).map((tool) => tool.name));
      if (readyAt === undefined && expected.every((name) => listed.has(name))) readyAt = performance.now() - started;
    } catch (error) {
      failure = error;
    }
  };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void check());
  const deadline = started + STARTUP_TIMEOUT_MS;
  while (readyAt === undefined && performance.now() < deadline) {
    await check();
    if (readyAt === undefined) await sleep(SAFETY_POLL_MS);
  }
  if (readyAt === undefined) throw new Error(`Not every backend was listed after ${STARTUP_TIMEOUT_MS} ms${failure ? ` (${String(failure)})` : ''}`);
  return readyAt;
}

/** How long a process takes from spawn to exit. */
function runToExit(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/** The CLI's own start: `--version` against a Node process that does nothing, alternating. */
async function measureCliStart(rounds: number): Promise<Line> {
  const bare: number[] = [];
  const cli: number[] = [];
  for (let round = 0; round < rounds; round++) {
    bare.push(await runToExit(['-e', '0']));
    cli.push(await runToExit([CLI, '--version']));
  }
  const overhead = median(cli.map((time, index) => time - (bare[index] ?? Number.NaN)));
  return {
    section: SECTION,
    name: 'the CLI itself: `--version` against `node -e 0`',
    direct: ms(median(bare)),
    switchboard: ms(median(cli)),
    comparison: signedMs(overhead),
    target: '—',
    verdict: 'info',
    data: { bareRunsMs: bare, cliRunsMs: cli, medianOverheadMs: overhead },
  };
}

export async function measureStartup(context: BenchContext): Promise<Line[]> {
  const { sizes } = context;
  const cases: StartupCase[] = [
    ...sizes.startupBackends.map((live) => ({ name: `${live} backend${live === 1 ? '' : 's'}`, live, dead: false, budgeted: live === 20 })),
    { name: '1 backend + 1 that never answers', live: 1, dead: true, budgeted: true },
    { name: `${sizes.startupBackends.includes(20) ? 20 : 5} backends + 1 that never answers`, live: sizes.startupBackends.includes(20) ? 20 : 5, dead: true, budgeted: true },
    { name: '1 backend + 1 that never answers + 1 unreachable URL', live: 1, dead: true, unreachable: true, budgeted: true },
  ];
  const lines: Line[] = [await measureCliStart(sizes.startupRounds * 10)];
  for (const startupCase of cases) {
    const directRuns: number[] = [];
    const switchboardRuns: SwitchboardStartup[] = [];
    for (let round = 0; round < sizes.startupRounds; round++) {
      // Alternate which side starts first, so drift falls on both.
      if (round % 2 === 0) {
        directRuns.push(await directStartup(context, startupCase.live, startupCase.dead));
        switchboardRuns.push(await switchboardStartup(context, startupCase.live, startupCase.dead, startupCase.unreachable));
      } else {
        switchboardRuns.push(await switchboardStartup(context, startupCase.live, startupCase.dead, startupCase.unreachable));
        directRuns.push(await directStartup(context, startupCase.live, startupCase.dead));
      }
    }
    const direct = median(directRuns);
    const ready = median(switchboardRuns.map((run) => run.readyMs));
    const boot = median(switchboardRuns.map((run) => run.bootMs));
    const overhead = median(switchboardRuns.map((run, index) => run.readyMs - (directRuns[index] ?? Number.NaN)));
    lines.push({
      section: SECTION,
      name: startupCase.name,
      direct: ms(direct),
      switchboard: `${ms(ready)} (boot ${ms(boot)})`,
      comparison: signedMs(overhead),
      target: startupCase.budgeted ? `≤ slowest +${BUDGET_MS} ms` : '—',
      verdict: startupCase.budgeted ? verdict(overhead <= BUDGET_MS) : 'info',
      data: { ...startupCase, directRunsMs: directRuns, switchboardRuns, medianDirectMs: direct, medianReadyMs: ready, medianBootMs: boot, medianOverheadMs: overhead },
    });
  }
  return lines;
}
