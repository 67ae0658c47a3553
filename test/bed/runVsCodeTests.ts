/**
 * `npm run test:vscode`: the extension's mocha suite inside a real VS Code.
 *
 * Provision (cached) → package the .vsix → bundle the suite → install the
 * .vsix into a throwaway code-server profile → start code-server on loopback
 * → open the workbench in headless Chromium with the test payload → print
 * what mocha prints in the extension host → exit with mocha's result.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { launchBrowser, newWorkbenchPage } from './browser';
import { bundleTests, packageExtension, testsOutDir } from './build';
import { follow } from './follow';
import { createProfile, installExtension, startCodeServer } from './codeServer';
import { EXTENSION_ID, REPO } from './paths';
import { StepError } from './processes';
import { provision } from './provision';
import { Teardown } from './teardown';

/** How long the whole suite may take inside VS Code before the bed gives up. */
const SUITE_TIMEOUT_MS = Number(process.env.MCP_SWITCHBOARD_BED_TIMEOUT_MS ?? 20 * 60_000);

/** Where the workbench's and code-server's logs of the last run are kept, for a failure to be read. */
const LOGS = join(REPO, 'test-results', 'vscode');
const VERBOSE = Boolean(process.env.MCP_SWITCHBOARD_BED_VERBOSE);

async function main(): Promise<number> {
  const teardown = new Teardown();
  teardown.onSignals();
  try {
    const tools = await provision(REPO);
    rmSync(LOGS, { recursive: true, force: true });
    mkdirSync(LOGS, { recursive: true });
    const workbenchLog = join(LOGS, 'workbench.log');
    writeFileSync(workbenchLog, '');
    const report = join(LOGS, 'mocha.txt');
    writeFileSync(report, '');
    const profile = createProfile(teardown, {
      // Tells activation.test.ts that the extension under test is the installed package.
      MCP_SWITCHBOARD_TEST_PACKAGED: '1',
      // index.ts copies mocha's report there; the bed prints it as it grows.
      MCP_SWITCHBOARD_TEST_REPORT: report,
      ...(process.env.MCP_SWITCHBOARD_TEST_GREP ? { MCP_SWITCHBOARD_TEST_GREP: process.env.MCP_SWITCHBOARD_TEST_GREP } : {}),
    });
    const vsix = join(profile.root, 'mcp-switchboard.vsix');
    await packageExtension(REPO, vsix);
    await bundleTests(REPO);
    const installed = await installExtension(tools, profile, vsix, EXTENSION_ID);
    const server = await startCodeServer(tools, profile, teardown);
    teardown.add('saving code-server\'s log', () => writeFileSync(join(LOGS, 'code-server.log'), server.output()));
    console.log(`[bed] code-server at ${server.origin}, extension from ${installed}`);

    const browser = await launchBrowser(tools, profile, teardown);
    const page = await newWorkbenchPage(browser);
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
    const reporter = follow(report, (text) => process.stdout.write(text));
    teardown.add('reading the rest of mocha\'s report', () => reporter.stop());
    page.on('pageerror', (error) => console.error(`[bed] workbench error: ${error.message}`));

    // The extension under development is the folder VS Code unpacked the .vsix
    // into, so the tests exercise exactly the files users install.
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(installed)],
      ['extensionTestsPath', remote(join(testsOutDir(REPO), 'index.js'))],
    ];
    const url = `${server.origin}/?folder=${encodeURIComponent(profile.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);

    const code = await Promise.race([
      exited,
      server.died,
      timeout(SUITE_TIMEOUT_MS, `The suite did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes.`),
      new Promise<never>((_, fail) => page.once('crash', () => fail(new StepError('The workbench page crashed.')))),
    ]);
    reporter.stop();
    console.log(`[bed] the extension host exited with ${code}: ${code === 0 ? 'all tests passed' : 'tests failed'}`);
    if (code !== 0) console.log(`[bed] VS Code's logs of this run are in ${LOGS}`);
    return code;
  } catch (error) {
    console.error(`[bed] ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof StepError) && error instanceof Error && error.stack) console.error(error.stack);
    console.error(`[bed] VS Code's logs of this run are in ${LOGS}`);
    return 1;
  } finally {
    await teardown.run();
  }
}

function timeout(ms: number, message: string): Promise<never> {
  return new Promise((_, fail) => setTimeout(() => fail(new StepError(message)), ms).unref());
}

void main().then((code) => process.exit(code));
