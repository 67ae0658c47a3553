/**
 * The mocha bootstrap VS Code calls inside the extension host (its
 * extensionTestsPath). It runs every bundled `*.test.js` beside it, in
 * subfolders too, and rejects when any test fails: VS Code turns that into
 * the extension host's exit code, which the runners pass on.
 */
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    // The report may travel through VS Code's log or a file before a person
    // reads it; colour codes would arrive as noise.
    color: false,
    timeout: 60_000,
    ...(process.env.MCP_SWITCHBOARD_TEST_GREP ? { grep: process.env.MCP_SWITCHBOARD_TEST_GREP } : {}),
  });
  const files = (readdirSync(__dirname, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((file) => file.endsWith('.test.js'))
    .sort();
  if (files.length === 0) throw new Error(`No *.test.js files next to ${__filename}; bundle the suite first.`);
  for (const file of files) mocha.addFile(join(__dirname, file));

  const restore = teeReport(process.env.MCP_SWITCHBOARD_TEST_REPORT);
  try {
    const stats = await new Promise<Mocha.Stats | undefined>((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats));
    });
    const failures = stats?.failures ?? 1;
    // A closing line in the plain form CI tools look for, under mocha's own summary.
    Mocha.reporters.Base.consoleLog(`vscode: ${stats?.passes ?? 0} passed, ${failures} failed, ${stats?.pending ?? 0} skipped`);
    if (failures > 0) throw new Error(`${failures} test${failures === 1 ? '' : 's'} failed in the VS Code extension host.`);
  } finally {
    restore();
  }
}

/**
 * Copies every line the reporter prints to `file` as well. The code-server
 * bed reads mocha's report from there: the extension host's console reaches
 * it only mixed into the workbench's log. Every mocha reporter prints through
 * `Base.consoleLog`, which is there to be replaced.
 */
function teeReport(file: string | undefined): () => void {
  if (!file) return () => undefined;
  const base = Mocha.reporters.Base;
  const original = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    original(...args);
    appendFileSync(file, `${format(...args)}\n`);
  };
  return () => {
    base.consoleLog = original;
  };
}
