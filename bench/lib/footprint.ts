/**
 * What a way of running the switchboard costs in processes and memory: the
 * processes a run's label marks (switchboards, bridges, backends), the
 * backends among them, and their resident memory summed. The sharing and
 * windows sections compare two ways with the same three lines.
 */
import { readFileSync } from 'node:fs';
import { EVERYTHING, type Processes, residentMemory } from './processes';
import { type Line, megabytes, times, verdict } from './report';

export interface Footprint {
  readonly processes: number;
  readonly backends: number;
  readonly rssMb: number;
}

/** Counts the processes of `label` now; the backends are the server-everything ones. */
export function footprintOf(processes: Processes, label: string): Footprint {
  const pids = processes.pidsOf(label);
  const backends = pids.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(EVERYTHING)).length;
  const rssMb = pids.reduce((sum, pid) => sum + (residentMemory(pid).rssMb || 0), 0);
  return { processes: pids.length, backends, rssMb };
}

/** The three lines that compare `before` with `after`: backends (target: one per proxy), all processes, memory. */
export function footprintLines(
  section: string,
  names: { readonly backends: string; readonly processes: string },
  before: Footprint,
  after: Footprint,
  proxies: number,
): Line[] {
  const line = (name: string, was: string, is: string, ratio: number, target: string, passed: boolean | undefined): Line => ({
    section,
    name,
    direct: was,
    switchboard: is,
    comparison: times(ratio),
    target,
    verdict: passed === undefined ? 'info' : verdict(passed),
    data: { before, after },
  });
  return [
    line(names.backends, String(before.backends), String(after.backends), after.backends / before.backends, `${proxies}: one per proxy`, after.backends === proxies),
    line(names.processes, String(before.processes), String(after.processes), after.processes / before.processes, '—', undefined),
    line('their memory (RSS, summed)', megabytes(before.rssMb), megabytes(after.rssMb), after.rssMb / before.rssMb, '—', undefined),
  ];
}
