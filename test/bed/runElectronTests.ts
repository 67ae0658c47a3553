/**
 * `npm run test:electron`: the same extension-host suite in a desktop VS Code,
 * through @vscode/test-electron, for machines that have one (the code-server
 * bed is for machines that cannot download it).
 *
 * VSCODE_EXECUTABLE_PATH names the VS Code binary to launch; without it
 * test-electron downloads the current stable VS Code into .vscode-test/.
 * The extension runs from the repository folder (dist/ from `npm run build`);
 * on Linux without a display, run it under `xvfb-run -a`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { bundleTests, testsOutDir } from './build';
import { REPO } from './paths';
import { runStep, StepError } from './processes';
import { Teardown } from './teardown';

async function main(): Promise<number> {
  const teardown = new Teardown();
  teardown.onSignals();
  try {
    await runStep('Building the extension (node esbuild.mjs)', process.execPath, ['esbuild.mjs'], { cwd: REPO });
    await bundleTests(REPO);
    // A throwaway profile and workspace, as in the code-server bed.
    const root = mkdtempSync(join(tmpdir(), 'mcp-switchboard-electron-'));
    teardown.add(`deleting ${root}`, () => rmSync(root, { recursive: true, force: true }));
    const workspace = join(root, 'workspace');
    mkdirSync(workspace);

    const executable = process.env.VSCODE_EXECUTABLE_PATH;
    await runTests({
      ...(executable ? { vscodeExecutablePath: executable } : {}),
      extensionDevelopmentPath: REPO,
      extensionTestsPath: join(testsOutDir(REPO), 'index.js'),
      launchArgs: [
        workspace,
        '--user-data-dir', join(root, 'user-data'),
        '--extensions-dir', join(root, 'extensions'),
        // Only the extension under test; a developer's other extensions stay out.
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
      ...(process.env.MCP_SWITCHBOARD_TEST_GREP ? { extensionTestsEnv: { MCP_SWITCHBOARD_TEST_GREP: process.env.MCP_SWITCHBOARD_TEST_GREP } } : {}),
    });
    return 0;
  } catch (error) {
    // runTests rejects with "Test run failed with code 1" when mocha reported
    // failures; its report is already printed above.
    console.error(`[electron] ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof StepError) && !executableGiven()) {
      console.error('[electron] Without VSCODE_EXECUTABLE_PATH, test-electron downloads VS Code; where that is impossible, run `npm run test:vscode`.');
    }
    return 1;
  } finally {
    await teardown.run();
  }
}

function executableGiven(): boolean {
  return Boolean(process.env.VSCODE_EXECUTABLE_PATH);
}

void main().then((code) => process.exit(code));
