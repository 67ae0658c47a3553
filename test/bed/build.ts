/**
 * Builds what the bed runs: the extension packaged as users get it (a .vsix
 * from the production build) and the extension-host test suite (each
 * `test/vscode/**\/*.test.ts` bundled to `out/test/vscode/`, beside the mocha
 * bootstrap `index.js` that VS Code calls).
 */
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { runStep } from './processes';

/**
 * The `npm run package` flags: the bundles carry their dependencies, and the
 * manifest has no repository yet, so vsce can neither check it nor turn the
 * README's relative image links into absolute ones (it refuses to package
 * unless told to leave them).
 */
export const VSCE_PACKAGE_FLAGS = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];

/** Production build, then `vsce package` into `vsix`. */
export async function packageExtension(repo: string, vsix: string): Promise<void> {
  const started = Date.now();
  await runStep('Building the extension (node esbuild.mjs --production)', process.execPath, ['esbuild.mjs', '--production'], { cwd: repo });
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json', { paths: [repo] })), 'vsce');
  await runStep('Packaging the extension (vsce package)', process.execPath, [vsce, 'package', ...VSCE_PACKAGE_FLAGS, '--out', vsix], {
    cwd: repo,
    // vsce prints the file list on every run; the bed only needs it on failure.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log(`[bed] packaged ${vsix} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The folder the suite is bundled to; `index.js` there is VS Code's extensionTestsPath. */
export function testsOutDir(repo: string): string {
  return join(repo, 'out', 'test', 'vscode');
}

/**
 * Bundles the suite. `vscode` comes from the extension host, and `mocha` stays
 * external so that the bootstrap and every test file share one mocha (its
 * `describe`/`it` globals) resolved from the repository's node_modules.
 */
export async function bundleTests(repo: string): Promise<void> {
  const source = join(repo, 'test', 'vscode');
  const tests = (readdirSync(source, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(source, file));
  const outdir = testsOutDir(repo);
  // A test file deleted from the source must not live on as a stale bundle.
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [join(source, 'index.ts'), ...tests],
    outbase: source,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  console.log(`[bed] bundled ${tests.length} test files into ${outdir}`);
}
