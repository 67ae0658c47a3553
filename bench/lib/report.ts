/**
 * The benchmark's output: one line per measured figure, with its target and
 * verdict, printed as a table and kept for bench/results.json.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export type Verdict = 'PASS' | 'MISS' | 'info' | 'ERROR';

export interface Line {
  readonly section: string;
  readonly name: string;
  /** The figure without the switchboard (direct to the backend, or the reference server). */
  readonly direct: string;
  readonly switchboard: string;
  /** switchboard ÷ direct, or the difference, as the target is stated. */
  readonly comparison: string;
  readonly target: string;
  readonly verdict: Verdict;
  /** Raw figures for results.json. */
  readonly data: Readonly<Record<string, unknown>>;
}

export const ms = (value: number): string => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : '—');
export const perSecond = (value: number): string => (Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')}/s` : '—');
export const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');
export const signedMs = (value: number): string => (Number.isFinite(value) ? `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}` : '—');
export const megabytes = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} MB` : '—');

export const verdict = (passed: boolean): Verdict => (passed ? 'PASS' : 'MISS');

export function errorLine(section: string, name: string, error: unknown): Line {
  const message = error instanceof Error ? error.message : String(error);
  return { section, name, direct: '—', switchboard: '—', comparison: '—', target: '—', verdict: 'ERROR', data: { error: message } };
}

/** Formats the lines as a plain-text table, grouped by section. */
export function table(lines: readonly Line[]): string {
  const header = ['line', 'direct', 'switchboard', 'sb vs direct', 'target', 'result'];
  const rows = lines.map((line) => [line.name, line.direct, line.switchboard, line.comparison, line.target, line.verdict]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 || column === 4 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  const out: string[] = [format(header), widths.map((width) => '-'.repeat(width)).join('  ')];
  let section = '';
  lines.forEach((line, index) => {
    if (line.section !== section) {
      section = line.section;
      out.push(`${index === 0 ? '' : '\n'}[${section}]`);
    }
    out.push(format(rows[index] ?? []));
  });
  return out.join('\n');
}

/** The machine and software the figures were measured on. */
export function machine(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((value) => Number(value.toFixed(2))),
  };
}
