/**
 * Large payloads: a 1 MB tool result (the misbehaving fixture's `big`, backend
 * over stdio), direct and through each front, alternating. The result through
 * the switchboard must be the very text the backend sent.
 */
import { performance } from 'node:perf_hooks';
import { type BenchContext, resultText, waitForTools } from '../lib/context';
import { alternate, latencyStats, sequential } from '../lib/measure';
import { CLI, type Endpoint, MISBEHAVING } from '../lib/processes';
import { type Line, ms, times, verdict } from '../lib/report';

interface Side {
  readonly key: 'direct' | 'stdioFront' | 'httpFront';
  readonly endpoint: Endpoint;
  readonly tool: string;
  readonly samples: number[];
  intact: boolean;
}

export async function measurePayload(context: BenchContext): Promise<Line[]> {
  const { processes, sizes } = context;
  const section = `large payloads: a ${(sizes.payloadBytes / 1e6).toLocaleString('en-US')} MB tool result, backend over stdio`;
  const label = processes.label('payload');
  const fixtureArgs = [MISBEHAVING, '--transport', 'stdio'];
  const registry = processes.writeRegistry(label, { big: { command: process.execPath, args: fixtureArgs, env: processes.env(label) } });
  const sides: Side[] = [];
  try {
    const add = (key: Side['key'], endpoint: Endpoint, tool: string): void => void sides.push({ key, endpoint, tool, samples: [], intact: true });
    add('direct', await processes.stdioClient(label, process.execPath, fixtureArgs), 'big');
    add('stdioFront', await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, CLI, '--stdio', '--config', registry]), 'big_big');
    const server = await processes.startSwitchboardHttp(label, registry, context.switchboardNodeArgs);
    add('httpFront', await processes.httpClient(label, server.url, server.token), 'big_big');

    let expected: string | undefined;
    const call = (side: Side) => async (): Promise<void> => {
      const text = resultText(await side.endpoint.client.callTool({ name: side.tool, arguments: { bytes: sizes.payloadBytes } }));
      if (text.length !== sizes.payloadBytes || (expected !== undefined && text !== expected)) side.intact = false;
      expected ??= text;
    };
    for (const side of sides) {
      await waitForTools(side.endpoint.client, [side.tool], 30_000);
      await sequential(call(side), 2, performance.now() + 30_000);
    }
    await alternate(sides, sizes.payloadRounds, async (side) => {
      side.samples.push(...(await sequential(call(side), sizes.payloadPerRound, context.deadline)));
    });

    const [direct, ...fronts] = sides;
    if (direct === undefined) return [];
    const directStats = latencyStats(direct.samples);
    return fronts.map((side) => {
      const stats = latencyStats(side.samples);
      return {
        section,
        name: `${side.key === 'stdioFront' ? 'stdio' : 'HTTP'} front: p50 latency, result intact`,
        direct: ms(directStats.p50),
        switchboard: ms(stats.p50),
        comparison: times(stats.p50 / directStats.p50),
        target: 'same bytes (time: info)',
        verdict: verdict(side.intact && direct.intact),
        data: { front: side.key, bytes: sizes.payloadBytes, direct: directStats, switchboard: stats, intact: side.intact },
      };
    });
  } finally {
    await Promise.all(sides.map((side) => side.endpoint.close()));
    await processes.closeGroup(label);
  }
}
