/**
 * Runs the official MCP conformance suite (`@modelcontextprotocol/conformance`,
 * server mode) against one URL under Node 24, and reads what it found: its
 * `Total:` line, each scenario's counts from its summary, and the checks
 * from the `checks.json` files it writes. Two releases are installed: 0.1.x
 * as `@modelcontextprotocol/conformance` and 0.2.0-alpha.12 under the npm
 * alias `conformance-next`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NODE_MODULES = resolve(__dirname, '..', '..', 'node_modules');
/** The 0.1.x release. */
export const SUITE_ENTRY = join(NODE_MODULES, '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
/** The 0.2.0-alpha.12 release (npm alias `conformance-next`), which has `--requirements`. */
export const NEXT_SUITE_ENTRY = join(NODE_MODULES, 'conformance-next', 'dist', 'index.js');

/** One check the suite made, as it recorded it in checks.json. */
export interface Check {
  readonly id: string;
  /** SUCCESS and FAILURE count; WARNING and INFO do not. */
  readonly status: string;
  readonly description: string;
  readonly errorMessage: string | undefined;
  readonly details: unknown;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly passed: number;
  readonly failed: number;
  readonly checks: readonly Check[];
}

export interface SuiteResult {
  /** The suite's own `Total: N passed, M failed` line, or undefined when it ended without one. */
  readonly totalLine: string | undefined;
  readonly passed: number;
  readonly failed: number;
  readonly scenarios: ReadonlyMap<string, ScenarioResult>;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Where the suite's full output was written. */
  readonly logPath: string;
}

export interface SuiteOptions {
  readonly node: string;
  /** The release's dist/index.js. */
  readonly entry: string;
  readonly url: string;
  /** Folder for the suite's output and its checks.json files (created by the caller). */
  readonly outputDir: string;
  /** What to run: `--suite NAME`, `--requirements REVISION` or `--scenario NAME`, as arguments. */
  readonly selection: readonly string[];
  readonly timeoutMs: number;
  /** Also copy the suite's output to this process's stdout. */
  readonly echo: boolean;
}

/** Runs the suite once and waits for it, killing it after `timeoutMs`. */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const logPath = join(options.outputDir, 'suite.log');
  const checksDir = join(options.outputDir, 'checks');
  const child = spawn(options.node, [options.entry, 'server', '--url', options.url, ...options.selection, '--output-dir', checksDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const log = createWriteStream(logPath);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    log.write(chunk);
    if (options.echo) process.stdout.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exitCode = await new Promise<number | null>((resolveExit) => {
    child.once('error', () => resolveExit(null));
    child.once('close', (code) => resolveExit(code));
  });
  clearTimeout(timer);
  process.off('exit', killOnExit);
  await new Promise<void>((resolveFlush) => log.end(resolveFlush));
  return { ...parseOutput(stripAnsi(output), readChecks(checksDir)), exitCode, timedOut, logPath };
}

/** One result of two runs against the same server (a suite, then a scenario it left out): scenarios and counts added up. */
export function mergeResults(first: SuiteResult, second: SuiteResult): SuiteResult {
  const scenarios = new Map([...first.scenarios, ...second.scenarios]);
  const passed = first.passed + second.passed;
  const failed = first.failed + second.failed;
  return {
    totalLine: first.totalLine !== undefined && second.totalLine !== undefined ? `Total: ${passed} passed, ${failed} failed` : undefined,
    passed,
    failed,
    scenarios,
    exitCode: first.exitCode === 0 ? second.exitCode : first.exitCode,
    timedOut: first.timedOut || second.timedOut,
    logPath: first.logPath,
  };
}

function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Reads the scenario counts and the Total line from the suite's printed output. */
function parseOutput(
  output: string,
  checks: ReadonlyMap<string, readonly Check[]>,
): Pick<SuiteResult, 'totalLine' | 'passed' | 'failed' | 'scenarios'> {
  const scenarios = new Map<string, ScenarioResult>();
  const lines = output.split(/\r?\n/);
  // Whole suite: "=== SUMMARY ===", then "✓ name: 1 passed, 0 failed" per scenario, then "Total: …".
  for (const line of lines) {
    const match = /^[✓✗] (\S+): (\d+) passed, (\d+) failed$/.exec(line.trim());
    if (!match) continue;
    const [, scenario = '', passed = '0', failed = '0'] = match;
    scenarios.set(scenario, { scenario, passed: Number(passed), failed: Number(failed), checks: checks.get(scenario) ?? [] });
  }
  let totalLine = lines.map((line) => line.trim()).find((line) => /^Total: \d+ passed, \d+ failed/.test(line));
  // One scenario (--scenario): "Running client scenario 'name' …" and "Passed: 1/1, 0 failed, 0 warnings".
  const single = /Running client scenario '([^']+)'/.exec(output);
  const singleCounts = /^Passed: (\d+)\/\d+, (\d+) failed/m.exec(output);
  if (scenarios.size === 0 && single && singleCounts) {
    const scenario = single[1] ?? '';
    const passed = Number(singleCounts[1]);
    const failed = Number(singleCounts[2]);
    scenarios.set(scenario, { scenario, passed, failed, checks: checks.get(scenario) ?? [] });
    totalLine = `Total: ${passed} passed, ${failed} failed`;
  }
  const totals = totalLine ? /Total: (\d+) passed, (\d+) failed/.exec(totalLine) : null;
  return { totalLine, passed: Number(totals?.[1] ?? 0), failed: Number(totals?.[2] ?? 0), scenarios };
}

/** The checks of each scenario, from `<dir>/server-<scenario>-<timestamp>/checks.json`. */
function readChecks(checksDir: string): Map<string, Check[]> {
  const found = new Map<string, Check[]>();
  if (!existsSync(checksDir)) return found;
  for (const entry of readdirSync(checksDir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1];
    const file = join(checksDir, entry, 'checks.json');
    if (scenario === undefined || !existsSync(file)) continue;
    let checks: unknown;
    try {
      checks = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (!Array.isArray(checks)) continue;
    const read = checks
      .filter((check): check is Record<string, unknown> => typeof check === 'object' && check !== null)
      .map((check) => ({
        id: String(check['id']),
        status: String(check['status']),
        description: String(check['description'] ?? ''),
        errorMessage: typeof check['errorMessage'] === 'string' ? check['errorMessage'] : undefined,
        details: check['details'],
      }));
    found.set(scenario, [...(found.get(scenario) ?? []), ...read]);
  }
  return found;
}
