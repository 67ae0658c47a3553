/**
 * The suite's client auth scenarios with the switchboard as the client
 * (driver: authClient.ts): the 2025-11-25 auth suite in one parallel run,
 * and the 2025-03-26 back-compat scenarios one by one (a date-filtered
 * suite leaves them out). The suite counts a WARNING as a failed scenario,
 * and so does this.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { NEXT_SUITE_ENTRY } from './suite';

const ROOT = join(__dirname, '..', '..');
const DRIVER = `${join(ROOT, 'node_modules', '.bin', 'tsx')} ${join(ROOT, 'test', 'conformance', 'authClient.ts')}`;
const BACK_COMPAT = ['auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback'];
const TIMEOUT_MS = 5 * 60_000;

export interface ClientAuthResult {
  /** Checks passed and failed (warnings count as failed), summed over the runs. */
  readonly passed: number;
  readonly failed: number;
  /** Scenarios run and those that did not pass. */
  readonly scenarios: number;
  readonly failing: readonly string[];
  readonly logPath: string;
}

/** Runs every 2025-11-25 and 2025-03-26 client auth scenario against the switchboard; resolves with the counts. */
export async function runClientAuth(node: string, outputDir: string, echo: boolean): Promise<ClientAuthResult> {
  const logPath = join(outputDir, 'client-auth.log');
  const log = createWriteStream(logPath);
  const runs = [['--suite', 'auth', '--spec-version', '2025-11-25'], ...BACK_COMPAT.map((scenario) => ['--scenario', scenario])];
  let passed = 0;
  let failed = 0;
  let scenarios = 0;
  const failing: string[] = [];
  for (const selection of runs) {
    const output = await runOnce(node, selection, log, echo);
    const counts = countsOf(output);
    if (!counts) {
      failing.push(`${selection.join(' ')} (the suite printed no result)`);
      continue;
    }
    passed += counts.passed;
    failed += counts.failed + counts.warnings;
    scenarios += counts.scenarios;
    failing.push(...counts.failing);
  }
  await new Promise<void>((resolve) => log.end(resolve));
  return { passed, failed, scenarios, failing, logPath };
}

function runOnce(node: string, selection: readonly string[], log: NodeJS.WritableStream, echo: boolean): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(node, [NEXT_SUITE_ENTRY, 'client', '--command', DRIVER, ...selection], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      log.write(chunk);
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('close', () => {
      clearTimeout(timer);
      resolve(output.replace(/\x1b\[[0-9;]*m/g, ''));
    });
  });
}

/** Reads a suite run's totals and its failed scenarios; a single scenario prints `Passed: x/y`, a suite a summary. */
function countsOf(output: string): { passed: number; failed: number; warnings: number; scenarios: number; failing: string[] } | undefined {
  const single = /^Passed: (\d+)\/\d+, (\d+) failed, (\d+) warnings/m.exec(output);
  const scenario = /Starting scenario: (\S+)/.exec(output)?.[1] ?? 'scenario';
  if (single && !/^Total:/m.test(output)) {
    const ok = /OVERALL: PASSED/.test(output);
    return { passed: Number(single[1]), failed: Number(single[2]), warnings: Number(single[3]), scenarios: 1, failing: ok ? [] : [scenario] };
  }
  const total = /^Total: (\d+) passed, (\d+) failed(?:, (\d+) warnings)?/m.exec(output);
  if (!total) return undefined;
  const lines = [...output.matchAll(/^([✓✗⚠]) (\S+): /gm)];
  return {
    passed: Number(total[1]),
    failed: Number(total[2]),
    warnings: Number(total[3] ?? 0),
    scenarios: lines.length,
    failing: lines.filter((line) => line[1] !== '✓').map((line) => line[2] ?? ''),
  };
}
