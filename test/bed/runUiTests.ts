/**
 * `npm run test:ui`: Playwright drives the real VS Code UI (code-server in
 * headless Chromium) with the packaged extension installed, as a person would:
 * mouse, keyboard, command palette. The tests in test/bed/ui/ set up their bed
 * in `before`; screenshots land in test-results/ui/.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { teardown } from './ui/bed';

async function main(): Promise<number> {
  teardown.onSignals();
  const folder = join(__dirname, 'ui');
  const grep = process.env.MCP_SWITCHBOARD_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 120_000, ...(grep ? { grep } : {}) });
  // tsx, which runs this script, compiles the .ts test files as mocha requires them.
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.test.ts')).sort()) mocha.addFile(join(folder, file));
  try {
    const stats = await new Promise<Mocha.Stats | undefined>((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats));
    });
    const failures = stats?.failures ?? 1;
    console.log(`ui: ${stats?.passes ?? 0} passed, ${failures} failed, ${stats?.pending ?? 0} skipped`);
    return failures > 0 ? 1 : 0;
  } finally {
    await teardown.run();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[bed] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
