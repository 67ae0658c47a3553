/**
 * tools/call on a trivial tool (server-everything `echo`, backend over stdio):
 * direct, through the switchboard's stdio front, through its Streamable HTTP
 * front (token on), and the SDK's own Streamable HTTP server as the reference
 * for the HTTP front. All four are up at once and measured in alternation.
 */
import { performance } from 'node:perf_hooks';
import { type BenchContext, resultText, waitForTools } from '../lib/context';
import { alternate, combineThroughput, concurrent, latencyStats, type LatencyStats, sequential, type Throughput } from '../lib/measure';
import { CLI, EVERYTHING, type Endpoint } from '../lib/processes';
import { type Line, ms, perSecond, signedMs, times, verdict } from '../lib/report';

const SECTION = 'tools/call: server-everything echo, backend over stdio';
const IN_FLIGHT = 16;

interface Side {
  readonly key: 'direct' | 'stdioFront' | 'httpFront' | 'reference';
  readonly endpoint: Endpoint;
  readonly tool: string;
  samples: number[];
  rounds: Throughput[];
}

export async function measureCalls(context: BenchContext): Promise<Line[]> {
  const { processes, sizes } = context;
  const label = processes.label('calls');
  const registry = processes.writeRegistry(label, {
    everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: processes.env(label) },
  });
  const sides: Side[] = [];
  const side = (key: Side['key'], endpoint: Endpoint, tool: string): Side => {
    const made: Side = { key, endpoint, tool, samples: [], rounds: [] };
    sides.push(made);
    return made;
  };
  try {
    const direct = side('direct', await processes.stdioClient(label, process.execPath, [EVERYTHING, 'stdio']), 'echo');
    const stdioFront = side(
      'stdioFront',
      await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, CLI, '--stdio', '--config', registry]),
      'everything_echo',
    );
    const httpSwitchboard = await processes.startSwitchboardHttp(label, registry, context.switchboardNodeArgs);
    const httpFront = side('httpFront', await processes.httpClient(label, httpSwitchboard.url, httpSwitchboard.token), 'everything_echo');
    const referenceServer = await processes.startEverythingHttp(label);
    const reference = side('reference', await processes.httpClient(label, referenceServer.url, undefined), 'echo');

    for (const each of sides) {
      await waitForTools(each.endpoint.client, [each.tool], 30_000);
      const answer = resultText(await each.endpoint.client.callTool({ name: each.tool, arguments: { message: 'ping' } }));
      if (!answer.includes('ping')) throw new Error(`${each.key}: ${each.tool} answered "${answer}" instead of echoing "ping"`);
    }
    const call = (each: Side) => () => each.endpoint.client.callTool({ name: each.tool, arguments: { message: 'hello' } });

    // Warm up every path (JIT, connection pools) before anything counts.
    for (const each of sides) {
      await sequential(call(each), sizes.warmupCalls, context.deadline);
      await concurrent(call(each), IN_FLIGHT, 300, sizes.warmupCalls);
    }
    await alternate(sides, sizes.sequentialRounds, async (each) => {
      each.samples.push(...(await sequential(call(each), sizes.sequentialPerRound, context.deadline)));
    });
    await alternate(sides, sizes.throughputRounds, async (each) => {
      const roundMs = Math.max(0, Math.min(sizes.throughputRoundMs, context.deadline - performance.now()));
      each.rounds.push(await concurrent(call(each), IN_FLIGHT, roundMs, 1_000_000));
    });

    const latency = (each: Side): LatencyStats => latencyStats(each.samples);
    const rate = (each: Side): number => combineThroughput(each.rounds).callsPerSecond;
    const [d, s, h, r] = [direct, stdioFront, httpFront, reference].map((each) => ({ latency: latency(each), rate: rate(each) })) as [
      { latency: LatencyStats; rate: number },
      { latency: LatencyStats; rate: number },
      { latency: LatencyStats; rate: number },
      { latency: LatencyStats; rate: number },
    ];
    const raw = { direct: d, stdioFront: s, httpFront: h, reference: r, inFlight: IN_FLIGHT };
    return [
      {
        section: SECTION,
        name: 'stdio front: p50 latency',
        direct: ms(d.latency.p50),
        switchboard: ms(s.latency.p50),
        comparison: signedMs(s.latency.p50 - d.latency.p50),
        target: '≤ +0.15 ms',
        verdict: verdict(s.latency.p50 - d.latency.p50 <= 0.15),
        data: raw,
      },
      {
        section: SECTION,
        name: 'stdio front: p99 latency',
        direct: ms(d.latency.p99),
        switchboard: ms(s.latency.p99),
        comparison: signedMs(s.latency.p99 - d.latency.p99),
        target: '—',
        verdict: 'info',
        data: {},
      },
      {
        section: SECTION,
        name: `stdio front: calls/s, ${IN_FLIGHT} in flight`,
        direct: perSecond(d.rate),
        switchboard: perSecond(s.rate),
        comparison: times(s.rate / d.rate),
        target: '≥ 0.70×',
        verdict: verdict(s.rate / d.rate >= 0.7),
        data: {},
      },
      {
        section: SECTION,
        name: 'HTTP front: p50 latency',
        direct: ms(d.latency.p50),
        switchboard: ms(h.latency.p50),
        comparison: signedMs(h.latency.p50 - d.latency.p50),
        target: '< 1 ms',
        verdict: verdict(h.latency.p50 < 1),
        data: {},
      },
      {
        section: SECTION,
        name: 'HTTP front: p99 latency',
        direct: ms(d.latency.p99),
        switchboard: ms(h.latency.p99),
        comparison: signedMs(h.latency.p99 - d.latency.p99),
        target: '—',
        verdict: 'info',
        data: {},
      },
      {
        section: SECTION,
        name: `HTTP front: calls/s, ${IN_FLIGHT} in flight`,
        direct: perSecond(d.rate),
        switchboard: perSecond(h.rate),
        comparison: times(h.rate / d.rate),
        target: '≥ 3,000/s',
        verdict: verdict(h.rate >= 3_000),
        data: {},
      },
      {
        section: SECTION,
        name: 'reference: SDK streamableHttp p50 (direct col.)',
        direct: ms(r.latency.p50),
        switchboard: ms(h.latency.p50),
        comparison: times(h.latency.p50 / r.latency.p50),
        target: '—',
        verdict: 'info',
        data: {},
      },
      {
        section: SECTION,
        name: `reference: SDK streamableHttp calls/s (direct col.)`,
        direct: perSecond(r.rate),
        switchboard: perSecond(h.rate),
        comparison: times(h.rate / r.rate),
        target: '≥ 5×',
        verdict: verdict(h.rate / r.rate >= 5),
        data: {},
      },
    ];
  } finally {
    await Promise.all(sides.map((each) => each.endpoint.close()));
    await processes.closeGroup(label);
  }
}
