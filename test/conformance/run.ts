/**
 * `npm run test:conformance`: the official MCP conformance suite, run against
 * the conformance fixture directly and through the switchboard, in one go.
 *
 *   direct  the fixture over Streamable HTTP, no switchboard
 *   stdio   switchboard (Streamable HTTP front, --no-auth) ← fixture over stdio, mounted with prefix ""
 *   sse     the same, fixture over the legacy SSE transport
 *   http    the same, fixture over Streamable HTTP
 *
 * Each run goes through two releases of the suite, one after the other,
 * against the same processes:
 *
 *   0.1         @modelcontextprotocol/conformance 0.1.x, --suite active
 *   2025-11-25  0.2.0-alpha.12 (npm alias conformance-next), --requirements 2025-11-25,
 *               which also runs, unscored, the pending server-sse-polling (run on its own if it ever does not)
 *
 * The switchboard's front is started with call streams closed after 1 s
 * without events (SSE polling), so server-sse-polling sees it close a stream
 * mid-call and resume it on GET with Last-Event-ID.
 *
 * The switchboard is transparent, so every run must pass what the direct run
 * passes: a check that passes direct and does not pass through the
 * switchboard is a fidelity bug. Exits non-zero when the direct run fails,
 * when a run could not be made, or when a check passes direct but not
 * through, unless it is one of the differences listed and explained in
 * EXPECTED_DIFFERENCES. The last line, `conformance: N passed, M failed`,
 * sums the runs.
 *
 * Last, the other direction (clientAuth.ts): the suite's client auth
 * scenarios, 2025-11-25 and the 2025-03-26 back-compat ones, with the
 * switchboard as the OAuth client (authClient.ts is the suite's --command);
 * any failing one fails the run. --no-auth (or --scenario) leaves them out.
 *
 * Options (after `--`): --runs direct,stdio,sse,http  --suites 0.1,2025-11-25
 *                       --suite active|all|pending (the 0.1 release's selection)
 *                       --scenario NAME (only it, in each release)  --verbose (print the suite's own output)
 *                       --cli PATH (another build of the switchboard, e.g. a packaged one)  --no-auth
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
import { runClientAuth } from './clientAuth';
import { mergeResults, NEXT_SUITE_ENTRY, runSuite, SUITE_ENTRY, type ScenarioResult, type SuiteResult } from './suite';

type RunName = 'direct' | 'stdio' | 'sse' | 'http';
type SuiteName = '0.1' | '2025-11-25';

interface SuiteSpec {
  readonly label: string;
  readonly entry: string;
  /** Its selection when no --scenario is given. */
  readonly selection: (options: Options) => readonly string[];
  /** Scenarios to run on their own when the selection left them out. */
  readonly alsoRun: readonly string[];
}

const SUITES: Readonly<Record<SuiteName, SuiteSpec>> = {
  '0.1': {
    label: '@modelcontextprotocol/conformance 0.1.x',
    entry: SUITE_ENTRY,
    selection: (options) => ['--suite', options.legacySuite],
    alsoRun: [],
  },
  '2025-11-25': {
    label: '0.2.0-alpha.12, --requirements 2025-11-25',
    entry: NEXT_SUITE_ENTRY,
    selection: () => ['--requirements', '2025-11-25'],
    alsoRun: ['server-sse-polling'],
  },
};

/**
 * Checks that pass direct and, by design, do not pass through the switchboard
 * (they report INFO there, not FAILURE), by scenario and check id, with why.
 */
const EXPECTED_DIFFERENCES: ReadonlyMap<string, string> = new Map([
  [
    'server-sse-multiple-streams [server-sse-streams-functional]',
    'the front answers plain JSON when a call streams nothing (SSE is optional there), so there are no SSE streams to check',
  ],
]);

/** How long the front lets a call stream be quiet before it closes it for polling, in these runs. */
const POLL_AFTER_QUIET_MS = 1_000;

const RUNS: Readonly<Record<RunName, string>> = {
  direct: 'fixture direct (Streamable HTTP)',
  stdio: 'switchboard ← fixture over stdio',
  sse: 'switchboard ← fixture over SSE',
  http: 'switchboard ← fixture over Streamable HTTP',
};

const SUITE_TIMEOUT_MS = 6 * 60_000;
/** The client auth scenarios of 2025-11-25 (14) and of 2025-03-26's back-compat (2). */
const CLIENT_AUTH_SCENARIOS = 16;
/** How to tidy up the run in progress: also done on Ctrl+C or SIGTERM. */
const cleanups = new Set<() => Promise<void>>();
const OUTPUT_ROOT = join(ROOT, 'out', 'conformance');

interface Options {
  readonly runs: readonly RunName[];
  readonly suites: readonly SuiteName[];
  readonly cli: string;
  /** The 0.1 release's --suite. */
  readonly legacySuite: string;
  readonly scenario: string | undefined;
  readonly verbose: boolean;
  /** Also run the client auth scenarios, with the switchboard as the client. */
  readonly clientAuth: boolean;
}

/** One release of the suite, run once against one run's server. */
interface SuiteOutcome {
  readonly suite: SuiteName;
  readonly result: SuiteResult | undefined;
  /** Why it could not be made (the suite timed out, ended without a Total line, …). */
  readonly problem: string | undefined;
}

interface RunOutcome {
  readonly name: RunName;
  readonly suites: readonly SuiteOutcome[];
  /** Why the run could not be made (a process did not start, …). */
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
      suites: { type: 'string' },
      suite: { type: 'string' },
      scenario: { type: 'string' },
      verbose: { type: 'boolean' },
      cli: { type: 'string' },
      'no-auth': { type: 'boolean' },
    },
  });
  const runs = (values.runs ?? Object.keys(RUNS).join(',')).split(',').map((run) => run.trim());
  for (const run of runs) {
    if (!(run in RUNS)) throw new Error(`--runs takes a comma-separated list of ${Object.keys(RUNS).join(', ')}; "${run}" is not one.`);
  }
  const suites = (values.suites ?? Object.keys(SUITES).join(',')).split(',').map((suite) => suite.trim());
  for (const suite of suites) {
    if (!(suite in SUITES)) throw new Error(`--suites takes a comma-separated list of ${Object.keys(SUITES).join(', ')}; "${suite}" is not one.`);
  }
  return {
    runs: runs as RunName[],
    suites: suites as SuiteName[],
    cli: values.cli === undefined ? CLI : resolve(values.cli),
    legacySuite: values.suite ?? 'active',
    scenario: values.scenario,
    verbose: values.verbose ?? false,
    clientAuth: !(values['no-auth'] ?? false) && values.scenario === undefined,
  };
}

/** Starts what the run needs, runs each release of the suite against it, and stops everything again. */
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
  const suites: SuiteOutcome[] = [];
  let problem: string | undefined;
  try {
    let url: string;
    if (name === 'direct') {
      url = await startFixture(group, 'http', marker, join(outputDir, 'fixture.log'));
    } else {
      const entry = name === 'stdio' ? fixtureStdioEntry(marker) : { url: await startFixture(group, name, marker, join(outputDir, 'fixture.log')) };
      const configPath = join(scratch, 'proxies.json');
      writeFileSync(configPath, JSON.stringify({ proxies: { conf: { ...entry, prefix: '' } } }, null, 2));
      url = await startSwitchboard(group, options.cli, configPath, scratch, join(outputDir, 'switchboard.log'), POLL_AFTER_QUIET_MS);
      await waitUntilMounted(url);
    }
    console.log(`  suite → ${url}`);
    for (const suite of options.suites) suites.push(await runRelease(suite, node, url, join(outputDir, suite), options));
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  } finally {
    await cleanup();
    cleanups.delete(cleanup);
  }
  // A stdio backend must end with the switchboard; end (and report) any that did not.
  const leftovers = await settleLeftovers(marker);
  return { name, suites, problem, leftovers };
}

/** Runs one release of the suite (and the scenarios its selection left out) against `url`. */
async function runRelease(suite: SuiteName, node: string, url: string, outputDir: string, options: Options): Promise<SuiteOutcome> {
  const spec = SUITES[suite];
  const run = async (selection: readonly string[], folder: string) => {
    mkdirSync(folder, { recursive: true });
    return runSuite({ node, entry: spec.entry, url, outputDir: folder, selection, timeoutMs: SUITE_TIMEOUT_MS, echo: options.verbose });
  };
  let result = await run(options.scenario === undefined ? spec.selection(options) : ['--scenario', options.scenario], outputDir);
  const problem = describeProblem(result);
  if (problem) return { suite, result, problem };
  for (const scenario of options.scenario === undefined ? spec.alsoRun : []) {
    if (result.scenarios.has(scenario)) continue;
    const extra = await run(['--scenario', scenario], join(outputDir, scenario));
    const extraProblem = describeProblem(extra);
    if (extraProblem) return { suite, result, problem: `${scenario}: ${extraProblem}` };
    result = mergeResults(result, extra);
  }
  return { suite, result, problem: undefined };
}

function describeProblem(result: SuiteResult): string | undefined {
  if (result.timedOut) return `the suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes`;
  if (result.totalLine === undefined) return `the suite ended (exit code ${result.exitCode}) without a Total line`;
  return undefined;
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

/** Scenarios that fail (or are missing) in `through` but pass in the direct run of the same release. */
function regressions(through: SuiteResult | undefined, direct: SuiteResult | undefined): ScenarioResult[] {
  if (!direct || !through) return [];
  const regressed: ScenarioResult[] = [];
  for (const [scenario, directResult] of direct.scenarios) {
    if (directResult.failed > 0) continue;
    const counterpart = through.scenarios.get(scenario);
    if (!counterpart) regressed.push({ scenario, passed: 0, failed: 1, checks: [] });
    else if (counterpart.failed > 0) regressed.push(counterpart);
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

/** A check that passed direct and, through the switchboard, neither passed nor failed (a warning, INFO, or missing). */
interface Difference {
  /** `scenario [check id]`, as EXPECTED_DIFFERENCES names it. */
  readonly key: string;
  readonly line: string;
  /** Why it is expected, when it is. */
  readonly expected: string | undefined;
}

function differences(through: SuiteResult | undefined, direct: SuiteResult | undefined): Difference[] {
  if (!direct || !through || through === direct) return [];
  const found: Difference[] = [];
  for (const [scenario, directResult] of direct.scenarios) {
    const counterpart = through.scenarios.get(scenario);
    if (!counterpart) continue; // a regression already
    for (const id of new Set(directResult.checks.filter((check) => check.status === 'SUCCESS').map((check) => check.id))) {
      const checks = counterpart.checks.filter((check) => check.id === id);
      if (checks.some((check) => check.status === 'FAILURE')) continue; // a regression already
      if (checks.some((check) => check.status === 'SUCCESS')) continue;
      const key = `${scenario} [${id}]`;
      const shown = checks[0];
      const status = shown ? `${shown.status}${shown.errorMessage ? `: ${shown.errorMessage}` : ` (${shown.description})`}` : 'absent';
      found.push({ key, line: `${key}: SUCCESS direct, ${status} here`, expected: EXPECTED_DIFFERENCES.get(key) });
    }
  }
  return found;
}

function printSuite(outcome: SuiteOutcome, direct: SuiteOutcome | undefined, indent: string): void {
  const { result } = outcome;
  console.log(`${indent}${SUITES[outcome.suite].label}: ${result?.totalLine ?? 'Total: (none)'}`);
  const failures = [...(result?.scenarios.values() ?? [])].filter((scenario) => scenario.failed > 0);
  for (const line of describeFailures(failures, `${indent}  `)) console.log(line);
  for (const difference of differences(result, direct?.result)) {
    console.log(`${indent}  ${difference.expected ? 'note' : '✗ not passed through'}: ${difference.line}${difference.expected ? ` — expected: ${difference.expected}` : ''}`);
  }
  if (outcome.problem) console.log(`${indent}  ! ${outcome.problem.split('\n').join(`\n${indent}    `)}`);
  if (result) console.log(`${indent}  log: ${relative(ROOT, result.logPath)}`);
}

function printRun(outcome: RunOutcome, direct: RunOutcome | undefined): void {
  for (const suite of outcome.suites) printSuite(suite, direct?.suites.find((candidate) => candidate.suite === suite.suite), '  ');
  if (outcome.problem) console.log(`  ! ${outcome.problem.split('\n').join('\n    ')}`);
  if (outcome.leftovers.length > 0) {
    console.log(`  ! the switchboard left ${outcome.leftovers.length} fixture process(es) running after it stopped (pids ${outcome.leftovers.join(', ')}); ended them`);
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const needed = [FIXTURE, ...options.suites.map((suite) => SUITES[suite].entry), ...(options.runs.some((run) => run !== 'direct') ? [options.cli] : [])];
  const missing = needed.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    console.error(`Missing ${missing.map((path) => relative(ROOT, path)).join(' and ')}: run \`npm install\` and \`npm run build\` first.`);
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
  console.log('\n=== conformance summary ===');
  let ok = true;
  let passed = 0;
  let failed = 0;
  for (const outcome of outcomes) {
    if (outcome.problem) {
      ok = false;
      console.log(`  ${outcome.name.padEnd(6)} ${RUNS[outcome.name]}  — run failed`);
    }
    if (outcome.leftovers.length > 0) ok = false;
    for (const suite of outcome.suites) {
      passed += suite.result?.passed ?? 0;
      failed += suite.result?.failed ?? 0;
      const directSuite = direct?.suites.find((candidate) => candidate.suite === suite.suite);
      const directFailing = outcome === direct ? failing(suite.result) : new Set<string>();
      const regressed = outcome === direct ? [] : regressions(suite.result, directSuite?.result);
      const found = outcome === direct ? [] : differences(suite.result, directSuite?.result);
      const unexpected = found.filter((difference) => !difference.expected);
      const notes: string[] = [];
      if (suite.problem) notes.push('run failed');
      if (directFailing.size > 0) notes.push(`fails directly: ${[...directFailing].join(', ')}`);
      if (regressed.length > 0) notes.push(`fails only through the switchboard: ${regressed.map((scenario) => scenario.scenario).join(', ')}`);
      if (unexpected.length > 0) notes.push(`passes direct, not here: ${unexpected.map((difference) => difference.key).join(', ')}`);
      const expected = found.length - unexpected.length;
      if (expected > 0) notes.push(`${expected} expected difference(s) (see notes)`);
      if (outcome.leftovers.length > 0) notes.push('left fixture processes running');
      // Without a direct run to compare with, any failure counts.
      const unexplained = direct ? regressed.length + unexpected.length : failing(suite.result).size;
      if (suite.problem || unexplained > 0 || directFailing.size > 0) ok = false;
      const label = `${RUNS[outcome.name]}, ${suite.suite}`;
      console.log(`  ${outcome.name.padEnd(6)} ${label.padEnd(56)} ${suite.result?.totalLine ?? 'Total: (none)'}${notes.length ? `  — ${notes.join('; ')}` : ''}`);
    }
  }
  if (!direct) console.log('  (no direct run: through-switchboard failures are not compared with direct)');
  if (options.clientAuth) {
    console.log('\n=== auth: the switchboard as the client of the suite\'s OAuth scenarios (2025-11-25, 2025-03-26 back-compat) ===');
    const outputDir = join(OUTPUT_ROOT, 'client-auth');
    mkdirSync(outputDir, { recursive: true });
    const auth = await runClientAuth(node, outputDir, options.verbose);
    passed += auth.passed;
    failed += auth.failed;
    // Every 2025-11-25 auth scenario and both 2025-03-26 back-compat ones: fewer means one was not run.
    if (auth.failing.length > 0 || auth.scenarios !== CLIENT_AUTH_SCENARIOS) ok = false;
    console.log(
      `  auth   ${`${auth.scenarios} scenarios`.padEnd(56)} Total: ${auth.passed} passed, ${auth.failed} failed${auth.failing.length ? `  — failing: ${auth.failing.join(', ')} (log: ${relative(ROOT, auth.logPath)})` : ''}`,
    );
  }
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
