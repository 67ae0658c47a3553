/**
 * tools/call on a trivial tool (server-everything `echo`, backend over stdio):
 * direct, through the switchboard's stdio front, through its Streamable HTTP
 * front (token on), and the SDK's own Streamable HTTP server
 * (`server-everything streamableHttp`) as the reference for the HTTP front.
 * All are up at once and measured in alternation, with the SDK's client.
 *
 * The two HTTP servers are also measured with a lean HTTP client (bench/lib/leanHttp.ts)
 * on the same sessions, because the SDK's HTTP client can cost more CPU per
 * call than either server; those lines show what the servers themselves do.
 * CPU time per call of the client, switchboard and backend processes is
 * recorded during the throughput rounds, to show where the time goes.
 */
import { performance } from 'node:perf_hooks';
import { type BenchContext, resultText, waitForTools } from '../lib/context';
import { leanCaller } from '../lib/leanHttp';
import { alternate, combineThroughput, concurrent, latencyStats, type LatencyStats, sequential, type Throughput } from '../lib/measure';
import { CLI, childrenOf, cpuTimeMs, EVERYTHING, type Endpoint } from '../lib/processes';
import { type Line, ms, perSecond, signedMs, times, verdict } from '../lib/report';

const SECTION = 'tools/call: server-everything echo, backend over stdio';
const IN_FLIGHT = 16;

type SideKey = 'direct' | 'stdioFront' | 'httpFront' | 'reference' | 'httpFrontLean' | 'referenceLean';

interface Side {
  readonly key: SideKey;
  readonly call: () => Promise<unknown>;
  /** Processes whose CPU time is counted during the throughput rounds. */
  readonly pids: { readonly switchboard?: number; readonly backend: number };
  readonly samples: number[];
  readonly rounds: Throughput[];
  /** CPU ms used during the throughput rounds, by this (client) process, the switchboard and the backend. */
  readonly cpu: { client: number; switchboard: number; backend: number };
}

interface Figures {
  readonly latency: LatencyStats;
  readonly callsPerSecond: number;
  /** CPU µs per call during the throughput rounds. */
  readonly cpu: { readonly client: number; readonly switchboard: number | undefined; readonly backend: number };
}

function figures(side: Side): Figures {
  const throughput = combineThroughput(side.rounds);
  const perCall = (cpuMs: number) => (cpuMs * 1000) / throughput.calls;
  return {
    latency: latencyStats(side.samples),
    callsPerSecond: throughput.callsPerSecond,
    cpu: {
      client: perCall(side.cpu.client),
      switchboard: side.pids.switchboard === undefined ? undefined : perCall(side.cpu.switchboard),
      backend: perCall(side.cpu.backend),
    },
  };
}

function formatCpu(figure: Figures): string {
  const part = (value: number) => (Number.isFinite(value) ? Math.round(value).toString() : '?');
  return `${part(figure.cpu.client)}${figure.cpu.switchboard === undefined ? '' : ` · ${part(figure.cpu.switchboard)}`} · ${part(figure.cpu.backend)} µs`;
}

/** Measures one throughput round, with the CPU time each process of the side used meanwhile. */
async function throughputRound(side: Side, roundMs: number): Promise<void> {
  const clientBefore = process.cpuUsage();
  const switchboardBefore = side.pids.switchboard === undefined ? 0 : cpuTimeMs(side.pids.switchboard);
  const backendBefore = cpuTimeMs(side.pids.backend);
  side.rounds.push(await concurrent(side.call, IN_FLIGHT, roundMs, 1_000_000));
  const client = process.cpuUsage(clientBefore);
  side.cpu.client += (client.user + client.system) / 1000;
  if (side.pids.switchboard !== undefined) side.cpu.switchboard += cpuTimeMs(side.pids.switchboard) - switchboardBefore;
  side.cpu.backend += cpuTimeMs(side.pids.backend) - backendBefore;
}

function sdkCall(endpoint: Endpoint, tool: string): () => Promise<unknown> {
  return () => endpoint.client.callTool({ name: tool, arguments: { message: 'hello' } });
}

export async function measureCalls(context: BenchContext): Promise<Line[]> {
  const { processes, sizes } = context;
  const label = processes.label('calls');
  const registry = processes.writeRegistry(label, {
    everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: processes.env(label) },
  });
  const leanClosers: (() => void)[] = [];
  try {
    const direct = await processes.stdioClient(label, process.execPath, [EVERYTHING, 'stdio']);
    const stdioFront = await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, CLI, '--stdio', '--config', registry]);
    const httpSwitchboard = await processes.startSwitchboardHttp(label, registry, context.switchboardNodeArgs);
    const httpFront = await processes.httpClient(label, httpSwitchboard.url, httpSwitchboard.token);
    const referenceServer = await processes.startEverythingHttp(label);
    const reference = await processes.httpClient(label, referenceServer.url, undefined);

    for (const [endpoint, tool] of [
      [direct, 'echo'],
      [stdioFront, 'everything_echo'],
      [httpFront, 'everything_echo'],
      [reference, 'echo'],
    ] as const) {
      await waitForTools(endpoint.client, [tool], 30_000);
      const answer = resultText(await endpoint.client.callTool({ name: tool, arguments: { message: 'ping' } }));
      if (!answer.includes('ping')) throw new Error(`${tool} answered "${answer}" instead of echoing "ping"`);
    }
    const lean = (endpoint: Endpoint, url: string, token: string | undefined, tool: string) => {
      if (endpoint.session === undefined) throw new Error('An HTTP client without a session');
      const caller = leanCaller({ url, token, ...endpoint.session }, 'tools/call', { name: tool, arguments: { message: 'hello' } }, 'Echo: hello', IN_FLIGHT);
      leanClosers.push(caller.close);
      return caller.call;
    };
    const stdioSwitchboardPid = stdioFront.pid ?? -1;
    const side = (key: SideKey, call: () => Promise<unknown>, pids: Side['pids']): Side => ({
      key,
      call,
      pids,
      samples: [],
      rounds: [],
      cpu: { client: 0, switchboard: 0, backend: 0 },
    });
    const httpPids = { switchboard: httpSwitchboard.pid, backend: childrenOf(httpSwitchboard.pid)[0] ?? -1 };
    const sides: Side[] = [
      side('direct', sdkCall(direct, 'echo'), { backend: direct.pid ?? -1 }),
      side('stdioFront', sdkCall(stdioFront, 'everything_echo'), { switchboard: stdioSwitchboardPid, backend: childrenOf(stdioSwitchboardPid)[0] ?? -1 }),
      side('httpFront', sdkCall(httpFront, 'everything_echo'), httpPids),
      side('reference', sdkCall(reference, 'echo'), { backend: referenceServer.pid }),
      side('httpFrontLean', lean(httpFront, httpSwitchboard.url, httpSwitchboard.token, 'everything_echo'), httpPids),
      side('referenceLean', lean(reference, referenceServer.url, undefined, 'echo'), { backend: referenceServer.pid }),
    ];

    // Warm up every path (JIT, sockets) before anything counts.
    for (const each of sides) {
      await sequential(each.call, sizes.warmupCalls, context.deadline);
      await concurrent(each.call, IN_FLIGHT, 300, sizes.warmupCalls);
    }
    await alternate(sides, sizes.sequentialRounds, async (each) => {
      each.samples.push(...(await sequential(each.call, sizes.sequentialPerRound, context.deadline)));
    });
    await alternate(sides, sizes.throughputRounds, async (each) => {
      await throughputRound(each, Math.max(0, Math.min(sizes.throughputRoundMs, context.deadline - performance.now())));
    });

    const all = Object.fromEntries(sides.map((each) => [each.key, figures(each)])) as Record<SideKey, Figures>;
    return linesFor(all);
  } finally {
    for (const close of leanClosers) close();
    await processes.closeGroup(label);
  }
}

function linesFor(all: Record<SideKey, Figures>): Line[] {
  const { direct: d, stdioFront: s, httpFront: h, reference: r, httpFrontLean: hl, referenceLean: rl } = all;
  const line = (name: string, fields: Omit<Line, 'section' | 'name' | 'data'>, data: Record<string, unknown> = {}): Line => ({
    section: SECTION,
    name,
    ...fields,
    data,
  });
  const info = { target: '—', verdict: 'info' } as const;
  return [
    line(
      'stdio front: p50 latency',
      { direct: ms(d.latency.p50), switchboard: ms(s.latency.p50), comparison: signedMs(s.latency.p50 - d.latency.p50), target: '≤ +0.15 ms', verdict: verdict(s.latency.p50 - d.latency.p50 <= 0.15) },
      { inFlight: IN_FLIGHT, ...all },
    ),
    line('stdio front: p99 latency', { direct: ms(d.latency.p99), switchboard: ms(s.latency.p99), comparison: signedMs(s.latency.p99 - d.latency.p99), ...info }),
    line(`stdio front: calls/s, ${IN_FLIGHT} in flight`, {
      direct: perSecond(d.callsPerSecond),
      switchboard: perSecond(s.callsPerSecond),
      comparison: times(s.callsPerSecond / d.callsPerSecond),
      target: '≥ 0.70×',
      verdict: verdict(s.callsPerSecond / d.callsPerSecond >= 0.7),
    }),
    line('HTTP front: p50 latency', { direct: ms(d.latency.p50), switchboard: ms(h.latency.p50), comparison: signedMs(h.latency.p50 - d.latency.p50), target: '< 1 ms', verdict: verdict(h.latency.p50 < 1) }),
    line('HTTP front: p99 latency', { direct: ms(d.latency.p99), switchboard: ms(h.latency.p99), comparison: signedMs(h.latency.p99 - d.latency.p99), ...info }),
    line(`HTTP front: calls/s, ${IN_FLIGHT} in flight`, {
      direct: perSecond(d.callsPerSecond),
      switchboard: perSecond(h.callsPerSecond),
      comparison: times(h.callsPerSecond / d.callsPerSecond),
      target: '≥ 3,000/s',
      verdict: verdict(h.callsPerSecond >= 3_000),
    }),
    line('HTTP vs SDK streamableHttp (direct col.): p50', { direct: ms(r.latency.p50), switchboard: ms(h.latency.p50), comparison: times(h.latency.p50 / r.latency.p50), ...info }),
    line(`HTTP vs SDK streamableHttp (direct col.): calls/s`, {
      direct: perSecond(r.callsPerSecond),
      switchboard: perSecond(h.callsPerSecond),
      comparison: times(h.callsPerSecond / r.callsPerSecond),
      target: '≥ 5×',
      verdict: verdict(h.callsPerSecond / r.callsPerSecond >= 5),
    }),
    line('lean client, HTTP vs SDK streamableHttp: p50', {
      direct: ms(rl.latency.p50),
      switchboard: ms(hl.latency.p50),
      comparison: times(hl.latency.p50 / rl.latency.p50),
      target: '< 1 ms',
      verdict: verdict(hl.latency.p50 < 1),
    }),
    line('lean client, HTTP vs SDK streamableHttp: p99', { direct: ms(rl.latency.p99), switchboard: ms(hl.latency.p99), comparison: times(hl.latency.p99 / rl.latency.p99), ...info }),
    line(`lean client, HTTP vs SDK streamableHttp: calls/s`, {
      direct: perSecond(rl.callsPerSecond),
      switchboard: perSecond(hl.callsPerSecond),
      comparison: times(hl.callsPerSecond / rl.callsPerSecond),
      target: '≥ 3,000/s, ≥ 5×',
      verdict: verdict(hl.callsPerSecond >= 3_000 && hl.callsPerSecond / rl.callsPerSecond >= 5),
    }),
    line('CPU/call client · sb · backend: stdio front', { direct: formatCpu(d), switchboard: formatCpu(s), comparison: '—', ...info }),
    line('CPU/call client · sb · backend: HTTP front', { direct: formatCpu(d), switchboard: formatCpu(h), comparison: '—', ...info }),
    line('CPU/call client · sb · backend: SDK streamableHttp', { direct: formatCpu(r), switchboard: formatCpu(h), comparison: '—', ...info }),
    line('CPU/call client · sb · backend: lean client', { direct: formatCpu(rl), switchboard: formatCpu(hl), comparison: '—', ...info }),
  ];
}
