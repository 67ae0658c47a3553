/**
 * `npm run bench`: what the switchboard costs a client, measured in one run
 * against the same backends directly, alternating the sides so the machine's
 * drift falls on both. Prints a table with each line's target (DESIGN.md,
 * "Performance budget") and PASS/MISS, and writes bench/results.json.
 *
 *   tsx bench/run.ts [--quick] [--only calls,startup,scale,search,payload,sharing,windows] [--profile DIR]
 *
 * --quick    small counts, for trying changes (does not write results.json)
 * --only     run only the named sections (does not write results.json)
 * --profile  run every switchboard with --cpu-prof, writing .cpuprofile files to DIR
 *
 * Needs the build (`npm run build`): dist/cli.js and out/fixtures/misbehaving-server.js.
 * Uses only 127.0.0.1, and ends every process it started, also on failure or Ctrl-C.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BenchContext, FULL, QUICK } from './lib/context';
import { CLI, EVERYTHING, MISBEHAVING, Processes, ROOT } from './lib/processes';
import { errorLine, type Line, machine, table } from './lib/report';
import { measureCalls } from './sections/calls';
import { measurePayload } from './sections/payload';
import { measureScale } from './sections/scale';
import { measureSearch } from './sections/search';
import { measureSharing } from './sections/sharing';
import { measureStartup } from './sections/startup';
import { measureWindows } from './sections/windows';

const SECTIONS = {
  calls: measureCalls,
  startup: measureStartup,
  scale: measureScale,
  search: measureSearch,
  payload: measurePayload,
  sharing: measureSharing,
  windows: measureWindows,
} as const;
type SectionName = keyof typeof SECTIONS;

/** The whole run may take this long; then it stops, cleans up and fails. */
const RUN_LIMIT_MS = 30 * 60_000;

interface Options {
  readonly quick: boolean;
  readonly only: readonly SectionName[] | undefined;
  readonly profileDir: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  let quick = false;
  let only: SectionName[] | undefined;
  let profileDir: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--quick') quick = true;
    else if (argument === '--only' || argument === '--profile') {
      const value = argv[++index];
      if (value === undefined) throw new Error(`${argument} needs a value`);
      if (argument === '--profile') profileDir = resolve(value);
      else {
        only = value.split(',').map((name) => {
          if (!(name in SECTIONS)) throw new Error(`Unknown section "${name}". Sections: ${Object.keys(SECTIONS).join(', ')}`);
          return name as SectionName;
        });
      }
    } else throw new Error(`Unknown argument "${String(argument)}". Usage: tsx bench/run.ts [--quick] [--only ${Object.keys(SECTIONS).join(',')}] [--profile DIR]`);
  }
  return { quick, only, profileDir };
}

/**
 * Prints each kind of process warning once, with a count at the end. The SDK's
 * HTTP client adds an abort listener per request to one long-lived signal
 * (released only when the request is garbage-collected), so a long run gets
 * MaxListenersExceededWarning on every call; printing each would flood the
 * terminal and bill the printing to the client being measured.
 */
function summarizeWarnings(): () => string {
  const counts = new Map<string, number>();
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const count = counts.get(warning.name) ?? 0;
    if (count === 0) process.stderr.write(`bench: warning (shown once): ${warning.name}: ${warning.message}\n`);
    counts.set(warning.name, count + 1);
  });
  return () => [...counts].map(([name, count]) => `${name} ×${count}`).join(', ');
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const warnings = summarizeWarnings();
  for (const [what, path] of [
    ['the switchboard', CLI],
    ['the misbehaving fixture', MISBEHAVING],
    ['server-everything', EVERYTHING],
  ] as const) {
    if (!existsSync(path)) throw new Error(`Cannot find ${what} at ${path}. Run \`npm ci\` and \`npm run build\` first.`);
  }
  const processes = new Processes();
  const endNow = (code: number) => {
    processes.killAllNow();
    process.exit(code);
  };
  process.once('exit', () => processes.killAllNow());
  process.once('SIGINT', () => endNow(130));
  process.once('SIGTERM', () => endNow(143));
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${RUN_LIMIT_MS / 60_000} minutes; stopping.\n`);
    endNow(2);
  }, RUN_LIMIT_MS);

  if (options.profileDir !== undefined) mkdirSync(options.profileDir, { recursive: true });
  const context: BenchContext = {
    processes,
    sizes: options.quick ? QUICK : FULL,
    switchboardNodeArgs: options.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir],
    deadline: performance.now() + RUN_LIMIT_MS - 60_000,
  };
  const about = machine();
  process.stderr.write(`bench: ${about.cpu} × ${about.cores}, Node ${about.node}, commit ${about.commit}${options.quick ? ' (quick)' : ''}\n`);

  const lines: Line[] = [];
  try {
    for (const name of options.only ?? (Object.keys(SECTIONS) as SectionName[])) {
      const began = performance.now();
      process.stderr.write(`bench: ${name}…\n`);
      try {
        lines.push(...(await SECTIONS[name](context)));
      } catch (error) {
        lines.push(errorLine(name, `${name}: failed`, error));
        process.stderr.write(`bench: ${name} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      }
      process.stderr.write(`bench: ${name} took ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await processes.closeAll();
    clearTimeout(watchdog);
  }
  const leftBehind = [...processes.leftBehind.values()].reduce((total, count) => total + count, 0);
  lines.push({
    section: 'hygiene',
    name: 'processes still running after their switchboard stopped',
    direct: '—',
    switchboard: String(leftBehind),
    comparison: '—',
    target: '0',
    verdict: leftBehind === 0 ? 'PASS' : 'MISS',
    data: { byGroup: Object.fromEntries(processes.leftBehind) },
  });

  about.loadAverageAtEnd = os.loadavg().map((value) => Number(value.toFixed(2)));
  process.stdout.write(`\n${table(lines)}\n\n`);
  process.stdout.write(
    `Machine: ${String(about.cpu)} × ${String(about.cores)}, ${String(about.memoryGb)} GB, Node ${String(about.node)}; load average (1, 5, 15 min) ${String(about.loadAverageAtStart)} at start, ${String(about.loadAverageAtEnd)} at end.\n`,
  );
  const complete = !options.quick && options.only === undefined;
  if (complete) {
    const path = join(ROOT, 'bench', 'results.json');
    writeFileSync(path, `${JSON.stringify({ machine: about, sizes: context.sizes, lines }, null, 2)}\n`);
    process.stdout.write(`Wrote ${path}\n`);
  } else {
    process.stdout.write('Partial run (--quick or --only): bench/results.json left as it was.\n');
  }
  if (warnings() !== '') process.stdout.write(`Process warnings in the bench (client side): ${warnings()}\n`);
  if (options.profileDir !== undefined) process.stdout.write(`CPU profiles of the switchboard processes: ${options.profileDir}\n`);
  const errors = lines.filter((line) => line.verdict === 'ERROR').length;
  return errors > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
