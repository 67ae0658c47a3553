/**
 * Scale: 100 backends × 50 tools each (the misbehaving fixture: its 8 tools
 * plus --tools 42). Once all are listed, tools/list latency through each
 * front, and the switchboard's resident memory (its own process only).
 *
 * Direct, for comparison: the same SDK client listing one backend that has
 * all 5,000 tools itself — the cost of a list that size without a switchboard.
 * The switchboard is started once per front (HTTP, then stdio) so only one
 * set of 100 backends runs at a time; within each, the two sides alternate.
 */
import { performance } from 'node:perf_hooks';
import { type BenchContext, listAllTools, waitForTools } from '../lib/context';
import { alternate, latencyStats, type LatencyStats } from '../lib/measure';
import { CLI, type Endpoint, MISBEHAVING, type ProxyEntry, residentMemory } from '../lib/processes';
import { type Line, megabytes, ms, times, verdict } from '../lib/report';

const FIXTURE_OWN_TOOLS = 8;
const LIST_BUDGET_MS = 20;
const MEMORY_BUDGET_MB = 150;

interface FrontResult {
  readonly front: 'HTTP' | 'stdio';
  readonly readyMs: number;
  readonly toolCount: number;
  readonly direct: LatencyStats;
  readonly switchboard: LatencyStats;
  readonly memory: { rssMb: number; peakMb: number };
}

export async function measureScale(context: BenchContext): Promise<Line[]> {
  const { processes, sizes } = context;
  const section = `scale: ${sizes.scaleBackends} backends × ${sizes.scaleToolsEach} tools`;
  const extraTools = sizes.scaleToolsEach - FIXTURE_OWN_TOOLS;
  const directLabel = processes.label('scale-direct');
  const results: FrontResult[] = [];
  try {
    const direct = await processes.stdioClient(directLabel, process.execPath, [
      MISBEHAVING,
      '--transport',
      'stdio',
      '--tools',
      String(sizes.scaleBackends * sizes.scaleToolsEach - FIXTURE_OWN_TOOLS),
    ]);
    for (const front of ['HTTP', 'stdio'] as const) {
      results.push(await measureFront(context, front, direct, extraTools));
    }
  } finally {
    await processes.closeGroup(directLabel);
  }
  const lines: Line[] = [];
  for (const result of results) {
    lines.push({
      section,
      name: `${result.front} front: tools/list p50 (${result.toolCount.toLocaleString('en-US')} tools)`,
      direct: ms(result.direct.p50),
      switchboard: ms(result.switchboard.p50),
      comparison: times(result.switchboard.p50 / result.direct.p50),
      target: `< ${LIST_BUDGET_MS} ms`,
      verdict: verdict(result.switchboard.p50 < LIST_BUDGET_MS),
      data: { ...result },
    });
    lines.push({
      section,
      name: `${result.front} front: tools/list p99`,
      direct: ms(result.direct.p99),
      switchboard: ms(result.switchboard.p99),
      comparison: times(result.switchboard.p99 / result.direct.p99),
      target: '—',
      verdict: 'info',
      data: {},
    });
    lines.push({
      section,
      name: `${result.front} front: switchboard RSS (peak ${megabytes(result.memory.peakMb)})`,
      direct: '—',
      switchboard: megabytes(result.memory.rssMb),
      comparison: '—',
      target: `< ${MEMORY_BUDGET_MB} MB`,
      verdict: verdict(result.memory.rssMb < MEMORY_BUDGET_MB),
      data: {},
    });
    lines.push({
      section,
      name: `${result.front} front: all backends listed after`,
      direct: '—',
      switchboard: ms(result.readyMs),
      comparison: '—',
      target: '—',
      verdict: 'info',
      data: {},
    });
  }
  return lines;
}

async function measureFront(context: BenchContext, front: 'HTTP' | 'stdio', direct: Endpoint, extraTools: number): Promise<FrontResult> {
  const { processes, sizes } = context;
  const label = processes.label(`scale-${front}`);
  const env = processes.env(label);
  const proxies: Record<string, ProxyEntry> = {};
  const expected: string[] = [];
  for (let index = 0; index < sizes.scaleBackends; index++) {
    proxies[`s${index}`] = { command: process.execPath, args: [MISBEHAVING, '--transport', 'stdio', '--tools', String(extraTools)], env };
    expected.push(`s${index}_echo`, `s${index}_tool_${extraTools - 1}`);
  }
  const registry = processes.writeRegistry(label, proxies);
  try {
    const started = performance.now();
    let switchboard: Endpoint;
    let pid: number;
    if (front === 'HTTP') {
      const server = await processes.startSwitchboardHttp(label, registry, context.switchboardNodeArgs);
      switchboard = await processes.httpClient(label, server.url, server.token);
      pid = server.pid;
    } else {
      switchboard = await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, CLI, '--stdio', '--config', registry]);
      pid = switchboard.pid ?? 0;
    }
    await waitForTools(switchboard.client, expected, 180_000);
    const readyMs = performance.now() - started;
    const toolCount = (await listAllTools(switchboard.client)).length;
    const samples = new Map<Endpoint, number[]>([
      [direct, []],
      [switchboard, []],
    ]);
    // Warm up both paths, then alternate.
    for (const endpoint of samples.keys()) for (let index = 0; index < 3; index++) await listAllTools(endpoint.client);
    await alternate([...samples.keys()], sizes.scaleRounds, async (endpoint) => {
      const durations = samples.get(endpoint) ?? [];
      for (let index = 0; index < sizes.scaleListsPerRound && performance.now() < context.deadline; index++) {
        const begun = performance.now();
        await listAllTools(endpoint.client);
        durations.push(performance.now() - begun);
      }
    });
    const memory = residentMemory(pid);
    return {
      front,
      readyMs,
      toolCount,
      direct: latencyStats(samples.get(direct) ?? []),
      switchboard: latencyStats(samples.get(switchboard) ?? []),
      memory,
    };
  } finally {
    await processes.closeGroup(label);
  }
}
