/**
 * Node 24 from the npm registry, for the test tools that need Node ≥ 22 (the
 * MCP conformance suite, code-server, vsce 4) while the product itself stays
 * on Node 20. The binary comes from the `node-<platform>-<arch>` package (what
 * `npm i node@24` pulls in for this machine), installed once into a cache
 * outside the repository and keyed by version, so later calls return at once.
 *
 *   npx tsx test/support/node24.ts     installs it if needed, prints the binary's path
 *
 * MCP_SWITCHBOARD_NODE24=/path/to/node uses that binary instead (it must be Node ≥ 22).
 * The cache is $XDG_CACHE_HOME/mcp-switchboard/node24 (default ~/.cache/…).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Node version the test tools run on; bump it here, the cache follows. */
export const NODE24_VERSION = '24.21.0';

/** The npm package that ships the Node binary for this platform. */
function binaryPackage(): string {
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new Error(`Node 24 from npm is set up here for Linux and macOS only; on ${process.platform}, set MCP_SWITCHBOARD_NODE24 to a Node ≥ 22 binary.`);
  }
  return `node-${process.platform}-${process.arch}`;
}

/** The folder holding one version of the binary package, outside the repository. */
export function node24Folder(version: string = NODE24_VERSION): string {
  const cacheRoot = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cacheRoot, 'mcp-switchboard', 'node24', `${version}-${process.platform}-${process.arch}`);
}

/** Returns the path of a Node 24 binary, installing it from the npm registry on first use. */
export async function ensureNode24(options: { version?: string; log?: (line: string) => void } = {}): Promise<string> {
  const override = process.env['MCP_SWITCHBOARD_NODE24'];
  if (override) {
    const found = await nodeVersion(override);
    if (found === undefined || Number(found.split('.')[0]) < 22) {
      throw new Error(`MCP_SWITCHBOARD_NODE24 is "${override}", which is not a Node ≥ 22 binary${found ? ` (it is ${found})` : ''}.`);
    }
    return override;
  }
  const version = options.version ?? NODE24_VERSION;
  const packageName = binaryPackage();
  const folder = node24Folder(version);
  const binary = join(folder, 'node_modules', packageName, 'bin', 'node');
  if ((await nodeVersion(binary)) === version) return binary;

  options.log?.(`Installing Node ${version} (${packageName}) from the npm registry into ${folder}…`);
  // Install beside the final folder, then rename: a run that is stopped half-way
  // or a second run at the same time never sees a half-installed binary.
  const staging = `${folder}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await run(
      'npm',
      ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `${packageName}@${version}`],
      { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    rmSync(folder, { recursive: true, force: true });
    try {
      renameSync(staging, folder);
    } catch (error) {
      if (!existsSync(binary)) throw error; // else another run finished first: use theirs
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const installed = await nodeVersion(binary);
  if (installed !== version) throw new Error(`Installing ${packageName}@${version} did not give a working Node ${version} at ${binary}.`);
  return binary;
}

/** The version a Node binary reports (without the leading "v"), or undefined if it does not run. */
async function nodeVersion(binary: string): Promise<string | undefined> {
  if (!existsSync(binary)) return undefined;
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
    return stdout.trim().replace(/^v/, '');
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  ensureNode24({ log: (line) => process.stderr.write(`${line}\n`) }).then(
    (binary) => process.stdout.write(`${binary}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
