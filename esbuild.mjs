// One esbuild config for every entry point: the CLI, the child-process server
// the extension forks, and the extension itself. Each is one CommonJS bundle
// so the .vsix needs no node_modules.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
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

const entries = [
  { entryPoints: ['src/server/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/server/child.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
];

const contexts = await Promise.all(
  entries.filter((entry) => existsSync(entry.entryPoints[0])).map((entry) => esbuild.context({ ...common, ...entry })),
);
if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(contexts.map((context) => context.rebuild()));
  await Promise.all(contexts.map((context) => context.dispose()));
}

function existsSync(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
import { statSync } from 'node:fs';
