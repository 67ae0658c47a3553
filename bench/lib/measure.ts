/**
 * Timing loops and statistics for the benchmark. Every loop is bounded twice:
 * by a count and by a deadline, so a stuck side ends the line instead of the run.
 */
import { performance } from 'node:perf_hooks';

export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export interface Throughput {
  readonly calls: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
}

/** The value at rank ceil(q·n) of the sorted samples (nearest rank, no interpolation). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

/** Runs `call` one after another, `count` times or until `deadline` (performance.now() ms); returns each duration in ms. */
export async function sequential(call: () => Promise<unknown>, count: number, deadline: number): Promise<number[]> {
  const durations: number[] = [];
  for (let index = 0; index < count && performance.now() < deadline; index++) {
    const started = performance.now();
    await call();
    durations.push(performance.now() - started);
  }
  return durations;
}

/**
 * Keeps `inFlight` calls going for `durationMs` (or until `maxCalls` were started),
 * and counts the calls that completed over the time until the last one did.
 */
export async function concurrent(call: () => Promise<unknown>, inFlight: number, durationMs: number, maxCalls: number): Promise<Throughput> {
  const started = performance.now();
  const stopAt = started + durationMs;
  let begun = 0;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (begun < maxCalls && performance.now() < stopAt) {
      begun++;
      await call();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { calls: completed, seconds, callsPerSecond: completed / seconds };
}

/** Sums several throughput rounds into one figure. */
export function combineThroughput(rounds: readonly Throughput[]): Throughput {
  const calls = rounds.reduce((total, round) => total + round.calls, 0);
  const seconds = rounds.reduce((total, round) => total + round.seconds, 0);
  return { calls, seconds, callsPerSecond: seconds > 0 ? calls / seconds : 0 };
}

/**
 * Runs `rounds` rounds; in each, every side once, starting with a different side
 * each round, so slow drift of the machine falls on all sides alike.
 */
export async function alternate<Side>(sides: readonly Side[], rounds: number, run: (side: Side, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < sides.length; offset++) {
      const side = sides[(round + offset) % sides.length];
      if (side !== undefined) await run(side, round);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
