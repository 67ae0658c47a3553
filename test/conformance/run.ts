/**
 * `npm run test:conformance`: the official MCP conformance suite, run against
 * the conformance fixture directly and through the switchboard, in one go.
 *
 *   direct  the fixture over Streamable HTTP, no switchboard
 *   stdio   switchboard (Streamable HTTP front, --no-auth) ← fixture over stdio, mounted with prefix ""
 *   sse     the same, fixture over the legacy SSE transport
 *   http    the same, fixture over Streamable HTTP
 *
 * The switchboard is transparent, so every run must pass what the direct run
 * passes: a scenario that fails only through it is a fidelity bug in the
 * switchboard. Exits non-zero when the direct run fails, when a run could not
 * be made, or when a scenario fails through the switchboard but passes
 * direct. The last line, `conformance: N passed, M failed`, sums the runs.
 *
 * Options (after `--`): --runs direct,stdio,sse,http  --suite active|all|pending
 *                       --scenario NAME  --verbose (print the suite's own output)
 *                       --cli PATH (another build of the switchboard, e.g. a packaged one)
 * The suite needs Node ≥ 22: Node 24 comes from the npm registry (test/support/node24.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNode24 } from '../support/node24';
import {
  CLI,
  FIXTURE,
  fixtureStdioEntry,
  leftoverProcesses,
  ProcessGroup,
  ROOT,
  startFixture,
  startSwitchboard,
  waitUntilMounted,
} from './processes';
import { runSuite, type ScenarioResult, type SuiteResult } from './suite';

type RunName = 'direct' | 'stdio' | 'sse' | 'http';

const RUNS: Readonly<Record<RunName, string>> = {
  direct: 'fixture direct (Streamable HTTP)',
  stdio: 'switchboard ← fixture over stdio',
  sse: 'switchboard ← fixture over SSE',
  http: 'switchboard ← fixture over Streamable HTTP',
};

const SUITE_TIMEOUT_MS = 6 * 60_000;
/** How to tidy up the run in progress: also done on Ctrl+C or SIGTERM. */
const cleanups = new Set<() => Promise<void>>();
const OUTPUT_ROOT = join(ROOT, 'out', 'conformance');

interface Options {
  readonly runs: readonly RunName[];
  readonly cli: string;
  readonly selection: { readonly suite: string } | { readonly scenario: string };
  readonly verbose: boolean;
}

interface RunOutcome {
  readonly name: RunName;
  readonly result: SuiteResult | undefined;
  /** Why the run could not be made (a process did not start, the suite timed out, …). */
  readonly problem: string | undefined;
  /** Fixture processes the switchboard left running after it was stopped. */
  readonly leftovers: readonly number[];
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      runs: { type: 'string' },
      suite: { type: 'string' },
      scenario: { type: 'string' },
      verbose: { type: 'boolean' },
      cli: { type: 'string' },
    },
  });
  const runs = (values.runs ?? Object.keys(RUNS).join(',')).split(',').map((run) => run.trim());
  for (const run of runs) {
    if (!(run in RUNS)) throw new Error(`--runs takes a comma-separated list of ${Object.keys(RUNS).join(', ')}; "${run}" is not one.`);
  }
  return {
    runs: runs as RunName[],
    cli: values.cli === undefined ? CLI : resolve(values.cli),
    selection: values.scenario !== undefined ? { scenario: values.scenario } : { suite: values.suite ?? 'active' },
    verbose: values.verbose ?? false,
  };
}

/** Starts what the run needs, runs the suite against it, and stops everything again. */
async function execute(name: RunName, node: string, options: Options): Promise<RunOutcome> {
  const outputDir = join(OUTPUT_ROOT, name);
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const marker = `conformance-${name}-${randomUUID()}`;
  const group = new ProcessGroup();
  const scratch = mkdtempSync(join(tmpdir(), 'switchboard-conformance-'));
  const cleanup = async () => {
    await group.stopAll();
    rmSync(scratch, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  let result: SuiteResult | undefined;
  let problem: string | undefined;
  try {
    let url: string;
    if (name === 'direct') {
      url = await startFixture(group, 'http', marker, join(outputDir, 'fixture.log'));
    } else {
      const entry = name === 'stdio' ? fixtureStdioEntry(marker) : { url: await startFixture(group, name, marker, join(outputDir, 'fixture.log')) };
      const configPath = join(scratch, 'proxies.json');
      writeFileSync(configPath, JSON.stringify({ proxies: { conf: { ...entry, prefix: '' } } }, null, 2));
      url = await startSwitchboard(group, options.cli, configPath, scratch, join(outputDir, 'switchboard.log'));
      await waitUntilMounted(url);
    }
    console.log(`  suite → ${url}`);
    result = await runSuite({ node, url, outputDir, selection: options.selection, timeoutMs: SUITE_TIMEOUT_MS, echo: options.verbose });
    if (result.timedOut) problem = `the suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes`;
    else if (result.totalLine === undefined) problem = `the suite ended (exit code ${result.exitCode}) without a Total line`;
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  } finally {
    await cleanup();
    cleanups.delete(cleanup);
  }
  // A stdio backend must end with the switchboard; end (and report) any that did not.
  const leftovers = await settleLeftovers(marker);
  return { name, result, problem, leftovers };
}

async function settleLeftovers(marker: string): Promise<number[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (leftoverProcesses(marker).length === 0) return [];
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  const pids = leftoverProcesses(marker);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}

function failing(result: SuiteResult | undefined): Set<string> {
  return new Set([...(result?.scenarios.values() ?? [])].filter((scenario) => scenario.failed > 0).map((scenario) => scenario.scenario));
}

/** Scenarios that fail (or are missing) in `run` but pass in the direct run. */
function regressions(run: RunOutcome, direct: RunOutcome | undefined): ScenarioResult[] {
  if (!direct?.result || !run.result) return [];
  const regressed: ScenarioResult[] = [];
  for (const [scenario, directResult] of direct.result.scenarios) {
    if (directResult.failed > 0) continue;
    const through = run.result.scenarios.get(scenario);
    if (!through) regressed.push({ scenario, passed: 0, failed: 1, checks: [] });
    else if (through.failed > 0) regressed.push(through);
  }
  return regressed;
}

function describeFailures(scenarios: readonly ScenarioResult[], indent: string): string[] {
  const lines: string[] = [];
  for (const scenario of scenarios) {
    lines.push(`${indent}✗ ${scenario.scenario}: ${scenario.passed} passed, ${scenario.failed} failed`);
    if (scenario.checks.length === 0) lines.push(`${indent}    (no checks recorded by this run)`);
    for (const check of scenario.checks.filter((candidate) => candidate.status === 'FAILURE')) {
      lines.push(`${indent}    [${check.id}] ${check.description}`);
      if (check.errorMessage) lines.push(`${indent}      ${check.errorMessage.split('\n').join(`\n${indent}      `)}`);
    }
  }
  return lines;
}

/**
 * Checks that passed direct but, through the switchboard, neither passed nor
 * failed (the suite found them not applicable, e.g. an SSE-stream check when
 * the front answers with JSON): not failures, but differences worth seeing.
 */
function notApplicableThrough(run: RunOutcome, direct: RunOutcome | undefined): string[] {
  if (!direct?.result || !run.result || run === direct) return [];
  const notes: string[] = [];
  for (const [scenario, directResult] of direct.result.scenarios) {
    const through = run.result.scenarios.get(scenario);
    if (!through) continue;
    for (const check of directResult.checks.filter((candidate) => candidate.status === 'SUCCESS')) {
      const counterpart = through.checks.find((candidate) => candidate.id === check.id);
      const status = counterpart?.status ?? 'absent';
      if (status === 'SUCCESS' || status === 'FAILURE') continue;
      notes.push(`${scenario} [${check.id}]: SUCCESS direct, ${status} here${counterpart ? ` (${counterpart.description})` : ''}`);
    }
  }
  return notes;
}

function printRun(outcome: RunOutcome, direct: RunOutcome | undefined): void {
  const { result } = outcome;
  console.log(`  ${result?.totalLine ?? 'Total: (none)'}`);
  const failures = [...(result?.scenarios.values() ?? [])].filter((scenario) => scenario.failed > 0);
  for (const line of describeFailures(failures, '  ')) console.log(line);
  for (const note of notApplicableThrough(outcome, direct)) console.log(`  note: ${note}`);
  if (outcome.problem) console.log(`  ! ${outcome.problem.split('\n').join('\n    ')}`);
  if (outcome.leftovers.length > 0) {
    console.log(`  ! the switchboard left ${outcome.leftovers.length} fixture process(es) running after it stopped (pids ${outcome.leftovers.join(', ')}); ended them`);
  }
  if (result) console.log(`  log: ${relative(ROOT, result.logPath)}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const missing = [FIXTURE, ...(options.runs.some((run) => run !== 'direct') ? [options.cli] : [])].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    console.error(`Missing ${missing.map((path) => relative(ROOT, path)).join(' and ')}: run \`npm run build\` first.`);
    return 1;
  }
  const node = await ensureNode24({ log: (line) => console.log(line) });
  console.log(`Conformance suite under ${node}`);

  const outcomes: RunOutcome[] = [];
  for (const name of options.runs) {
    console.log(`\n=== ${name}: ${RUNS[name]} ===`);
    const outcome = await execute(name, node, options);
    printRun(outcome, outcomes.find((earlier) => earlier.name === 'direct'));
    outcomes.push(outcome);
  }

  const direct = outcomes.find((outcome) => outcome.name === 'direct');
  const directFailing = failing(direct?.result);
  console.log('\n=== conformance summary ===');
  let ok = true;
  let passed = 0;
  let failed = 0;
  for (const outcome of outcomes) {
    passed += outcome.result?.passed ?? 0;
    failed += outcome.result?.failed ?? 0;
    const regressed = outcome.name === 'direct' ? [] : regressions(outcome, direct);
    const notes: string[] = [];
    if (outcome.problem) notes.push('run failed');
    if (outcome.name === 'direct' && directFailing.size > 0) notes.push(`fails directly: ${[...directFailing].join(', ')}`);
    if (regressed.length > 0) notes.push(`fails only through the switchboard: ${regressed.map((scenario) => scenario.scenario).join(', ')}`);
    const notApplicable = notApplicableThrough(outcome, direct).length;
    if (notApplicable > 0) notes.push(`${notApplicable} check(s) that pass direct were not applicable here (see notes)`);
    if (outcome.leftovers.length > 0) notes.push('left fixture processes running');
    // Without a direct run to compare with, any failure counts.
    const unexplained = direct ? regressed.length : failing(outcome.result).size;
    if (outcome.problem || unexplained > 0 || (outcome.name === 'direct' && directFailing.size > 0)) ok = false;
    console.log(`  ${outcome.name.padEnd(6)} ${RUNS[outcome.name].padEnd(44)} ${outcome.result?.totalLine ?? 'Total: (none)'}${notes.length ? `  — ${notes.join('; ')}` : ''}`);
  }
  if (!direct) console.log('  (no direct run: through-switchboard failures are not compared with direct)');
  console.log(ok ? 'Every run passes what the fixture passes directly.' : 'FAILED: see above.');
  console.log(`conformance: ${passed} passed, ${failed} failed`);
  return ok ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([...cleanups].map((cleanup) => cleanup())).finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
