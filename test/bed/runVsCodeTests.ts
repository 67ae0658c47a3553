/**
 * `npm run test:vscode`: the extension's mocha suite inside a real VS Code.
 *
 * Provision (cached) → package the .vsix → bundle the suite → install the
 * .vsix into a throwaway code-server profile → start code-server on loopback
 * → open the workbench in headless Chromium with the test payload → print
 * what mocha prints in the extension host → exit with mocha's result.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { newWorkbenchPage } from './browser';
import { bundleTests, testsOutDir } from './build';
import { follow } from './follow';
import { REPO } from './paths';
import { StepError } from './processes';
import { startSession } from './session';
import { Teardown } from './teardown';

/** How long the whole suite may take inside VS Code before the bed gives up. */
const SUITE_TIMEOUT_MS = Number(process.env.MCP_SWITCHBOARD_BED_TIMEOUT_MS ?? 20 * 60_000);
const VERBOSE = Boolean(process.env.MCP_SWITCHBOARD_BED_VERBOSE);
const RESULTS = 'vscode';

async function main(): Promise<number> {
  const teardown = new Teardown();
  teardown.onSignals();
  try {
    // index.ts copies mocha's report to this file; the bed prints it as it grows.
    const report = join(REPO, 'test-results', RESULTS, 'mocha.txt');
    const bed = await startSession(teardown, {
      name: RESULTS,
      env: {
        // Tells activation.test.ts that the extension under test is the installed package.
        MCP_SWITCHBOARD_TEST_PACKAGED: '1',
        MCP_SWITCHBOARD_TEST_REPORT: report,
        ...(process.env.MCP_SWITCHBOARD_TEST_GREP ? { MCP_SWITCHBOARD_TEST_GREP: process.env.MCP_SWITCHBOARD_TEST_GREP } : {}),
      },
      prepare: () => bundleTests(REPO),
    });
    writeFileSync(report, '');
    const workbenchLog = join(bed.results, 'workbench.log');
    writeFileSync(workbenchLog, '');

    const page = await newWorkbenchPage(bed.browser);
    const exited = new Promise<number>((done) => {
      // The workbench calls this when the extension host exits after run():
      // 0 when run() resolved, 1 when it threw.
      void page.exposeFunction('codeAutomationExit', (code: number) => done(code));
    });
    // VS Code's log, which in a test run also carries the extension host's
    // console: kept in a file, shown live only when asked for.
    await page.exposeFunction('codeAutomationLog', (level: string, args: unknown) => {
      const line = `[${level}] ${Array.isArray(args) ? format(...(args as unknown[])) : String(args)}\n`;
      appendFileSync(workbenchLog, line);
      if (VERBOSE) process.stderr.write(`[workbench] ${line}`);
    });
    page.on('pageerror', (error) => console.error(`[bed] workbench error: ${error.message}`));
    const reporter = follow(report, (text) => process.stdout.write(text));
    teardown.add("reading the rest of mocha's report", () => reporter.stop());

    // The extension under development is the folder VS Code unpacked the .vsix
    // into, so the tests exercise exactly the files users install.
    const remote = (path: string) => `vscode-remote://127.0.0.1:${bed.server.port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(bed.installed)],
      ['extensionTestsPath', remote(join(testsOutDir(REPO), 'index.js'))],
    ];
    const folder = encodeURIComponent(bed.profile.workspace);
    await page.goto(`${bed.server.origin}/?folder=${folder}&payload=${encodeURIComponent(JSON.stringify(payload))}`);

    const code = await Promise.race([
      exited,
      bed.server.died,
      timeout(SUITE_TIMEOUT_MS, `The suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes.`),
      new Promise<never>((_, fail) => page.once('crash', () => fail(new StepError('The workbench page crashed.')))),
    ]);
    reporter.stop();
    console.log(`[bed] the extension host exited with ${code}: ${code === 0 ? 'all tests passed' : 'tests failed'}`);
    if (code !== 0) console.log(`[bed] VS Code's logs of this run are in ${bed.results}`);
    return code;
  } catch (error) {
    console.error(`[bed] ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof StepError) && error instanceof Error && error.stack) console.error(error.stack);
    console.error(`[bed] VS Code's logs of this run are in ${join(REPO, 'test-results', RESULTS)}`);
    return 1;
  } finally {
    await teardown.run();
  }
}

function timeout(ms: number, message: string): Promise<never> {
  return new Promise((_, fail) => setTimeout(() => fail(new StepError(message)), ms).unref());
}

void main().then((code) => process.exit(code));
