// One esbuild config for every entry point: the CLI, the child-process server
// the extension forks, the extension itself, and the test fixtures (real MCP
// servers run as processes). Each is one CommonJS bundle, so the .vsix needs
// no node_modules and a fixture starts as fast as a plain script.
import { readdirSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const fixtures = readdirSync('test/fixtures')
  .filter((file) => file.endsWith('.ts') && file !== 'serve.ts')
  .map((file) => ({ entryPoints: [`test/fixtures/${file}`], outfile: `out/fixtures/${file.replace(/\.ts$/, '.js')}` }));

/**
 * undici (the fetch of url proxies, see src/core/guardedFetch.ts) is a
 * bundle of its own beside the others, loaded at the first request: its
 * megabyte is not parsed at every start of a switchboard that needs no URL.
 */
const undiciBeside = {
  name: 'undici-beside',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};

const entries = [
  { entryPoints: ['src/server/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [undiciBeside] },
  { entryPoints: ['src/server/child/main.ts'], outfile: 'dist/server.js', plugins: [undiciBeside] },
  { entryPoints: ['undici'], outfile: 'dist/undici.js' },
  // jsonc-parser's "main" is a UMD build whose require() calls a bundler cannot follow; its "module" is plain ESM.
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], mainFields: ['module', 'main'] },
  ...(production ? [] : fixtures),
];

await Promise.all(entries.map((entry) => esbuild.build({ ...common, ...entry })));
