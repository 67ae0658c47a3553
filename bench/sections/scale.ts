/**
 * Scale: 100 backends × 50 tools each (the misbehaving fixture: its 8 tools
 * plus --tools 42). Once all are listed, tools/list latency through each
 * front, and the switchboard's resident memory (its own process only).
 *
 * Direct, for comparison: the same SDK client listing one backend that has
 * all 5,000 tools itself — the cost of a list that size without a switchboard.
 * The switchboard is started once per front (HTTP, then stdio) so only one
 * set of 100 backends runs at a time; within each, the sides alternate. The
 * SDK client validates every tool of the answer, which for 5,000 tools costs
 * more than serving them; over HTTP the lean client (bench/lib/leanHttp.ts)
 * also fetches the list without parsing it, to show the switchboard's own time.
 * Through the stdio front, search_tools too: over every tool, for a query of
 * only the words nearly all tools share, and the first search after one
 * proxy's tools changed (the index's update).
 */
import { performance } from 'node:perf_hooks';
import { type BenchContext, listAllTools, waitForTools } from '../lib/context';
import { alternate, latencyStats, type LatencyStats, median } from '../lib/measure';
import { leanCaller } from '../lib/leanHttp';
import { CLI, type Endpoint, type HttpServer, MISBEHAVING, type ProxyEntry, residentMemory } from '../lib/processes';
import { type Line, megabytes, ms, times, verdict } from '../lib/report';

const FIXTURE_OWN_TOOLS = 8;
const LIST_BUDGET_MS = 20;
const MEMORY_BUDGET_MB = 150;
const SEARCH_BUDGET_MS = 2;
const INDEX_UPDATE_BUDGET_MS = 10;
const SEARCHES = 300;
/** How many times one proxy's tools change for the index update figure (its median; each sample is kept in results.json). */
const CHANGES = 5;

interface SearchResult {
  readonly stats: LatencyStats;
  /** Queries of only the words nearly every tool has: nothing in them picks a tool. */
  readonly broad: LatencyStats;
  /** The first search after each change, in order; the first is the first the index's update code runs again. */
  readonly afterChangeMs: readonly number[];
}

interface FrontResult {
  readonly front: 'HTTP' | 'stdio';
  readonly readyMs: number;
  readonly toolCount: number;
  readonly direct: LatencyStats;
  readonly switchboard: LatencyStats;
  /** The HTTP front's list fetched by the lean client (no SDK parsing): the switchboard's own cost. */
  readonly lean?: LatencyStats;
  readonly memory: { rssMb: number; peakMb: number };
  /** search_tools over the whole catalog (stdio front): its latency, and the first search after one proxy's list changed. */
  readonly search?: SearchResult;
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
    if (result.lean !== undefined) {
      lines.push({
        section,
        name: `${result.front} front, lean client: tools/list p50`,
        direct: '—',
        switchboard: ms(result.lean.p50),
        comparison: '—',
        target: `< ${LIST_BUDGET_MS} ms`,
        verdict: verdict(result.lean.p50 < LIST_BUDGET_MS),
        data: {},
      });
    }
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
    if (result.search !== undefined) {
      const { stats, broad, afterChangeMs } = result.search;
      lines.push({
        section,
        name: `${result.front} front: search_tools p50 over every tool (round trip)`,
        direct: '—',
        switchboard: ms(stats.p50),
        comparison: `p99 ${ms(stats.p99)}`,
        target: `≤ ${SEARCH_BUDGET_MS} ms`,
        verdict: verdict(stats.p50 <= SEARCH_BUDGET_MS),
        data: { search: result.search },
      });
      lines.push({
        section,
        name: `${result.front} front: search_tools p50, a query of only words nearly every tool has`,
        direct: '—',
        switchboard: ms(broad.p50),
        comparison: `p99 ${ms(broad.p99)}`,
        target: '—',
        verdict: 'info',
        data: {},
      });
      const afterChange = median(afterChangeMs);
      lines.push({
        section,
        name: `${result.front} front: first search after one proxy's list_changed (index update + search; median of ${afterChangeMs.length})`,
        direct: '—',
        switchboard: ms(afterChange),
        comparison: `${ms(afterChange - stats.p50)} more`,
        target: `update ≤ ${INDEX_UPDATE_BUDGET_MS} ms`,
        verdict: verdict(afterChange - stats.p50 <= INDEX_UPDATE_BUDGET_MS),
        data: {},
      });
    }
    lines.push({
      section,
      name: `${result.front} front: switchboard RSS${result.search ? ', with the search index' : ''} (peak ${megabytes(result.memory.peakMb)})`,
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
  let closeLean = (): void => undefined;
  try {
    const started = performance.now();
    let switchboard: Endpoint;
    let pid: number;
    let server: HttpServer | undefined;
    if (front === 'HTTP') {
      server = await processes.startSwitchboardHttp(label, registry, context.switchboardNodeArgs);
      switchboard = await processes.httpClient(label, server.url, server.token);
      pid = server.pid;
    } else {
      switchboard = await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, CLI, '--stdio', '--config', registry]);
      pid = switchboard.pid ?? 0;
    }
    await waitForTools(switchboard.client, expected, 180_000);
    const readyMs = performance.now() - started;
    const toolCount = (await listAllTools(switchboard.client)).length;
    const sides: { key: 'direct' | 'switchboard' | 'lean'; list: () => Promise<unknown>; samples: number[] }[] = [
      { key: 'direct', list: () => listAllTools(direct.client), samples: [] },
      { key: 'switchboard', list: () => listAllTools(switchboard.client), samples: [] },
    ];
    if (server !== undefined && switchboard.session !== undefined) {
      const lean = leanCaller({ url: server.url, token: server.token, ...switchboard.session }, 'tools/list', {}, `s${sizes.scaleBackends - 1}_echo`, 1);
      closeLean = lean.close;
      sides.push({ key: 'lean', list: lean.call, samples: [] });
    }
    // Warm up every path, then alternate.
    for (const side of sides) for (let index = 0; index < 3; index++) await side.list();
    await alternate(sides, sizes.scaleRounds, async (side) => {
      for (let index = 0; index < sizes.scaleListsPerRound && performance.now() < context.deadline; index++) {
        const begun = performance.now();
        await side.list();
        side.samples.push(performance.now() - begun);
      }
    });
    const search = front === 'stdio' ? await measureSearch(switchboard, sizes.scaleBackends) : undefined;
    const memory = residentMemory(pid);
    const stats = (key: string) => latencyStats(sides.find((side) => side.key === key)?.samples ?? []);
    return {
      front,
      readyMs,
      toolCount,
      direct: stats('direct'),
      switchboard: stats('switchboard'),
      ...(server === undefined ? {} : { lean: stats('lean') }),
      memory,
      ...(search && { search }),
    };
  } finally {
    closeLean();
    await processes.closeGroup(label);
  }
}

/** search_tools over the catalog, then the first search after one backend's tool list changed, a few times (another backend each time). */
async function measureSearch(switchboard: Endpoint, backends: number): Promise<SearchResult> {
  const { client } = switchboard;
  const timed = async (query: string) => {
    const begun = performance.now();
    await client.callTool({ name: 'search_tools', arguments: { query, limit: 8 } });
    return performance.now() - begun;
  };
  const query = (index: number) => `records of collection ${index % 50} newest first`;
  for (let index = 0; index < 20; index++) await timed(query(index)); // The index is built by the first one.
  const samples: number[] = [];
  for (let index = 0; index < SEARCHES; index++) samples.push(await timed(query(index)));
  const broad: number[] = [];
  for (let index = 0; index < SEARCHES / 10; index++) broad.push(await timed('records newest first'));
  const afterChangeMs: number[] = [];
  for (let change = 0; change < CHANGES; change++) {
    const backend = `s${backends - 1 - change}`;
    await client.callTool({ name: `${backend}_add_tool`, arguments: { name: 'fresh_search_tool' } });
    await waitForTools(client, [`${backend}_fresh_search_tool`], 30_000);
    afterChangeMs.push(await timed(query(7)));
  }
  return { stats: latencyStats(samples), broad: latencyStats(broad), afterChangeMs };
}
