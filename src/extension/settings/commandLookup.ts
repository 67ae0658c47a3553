import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { expandEntry } from '../../core/registry/expand';
import type { ProxyEntry } from '../../core/registry/registry';

/** What a command lookup depends on: injected so the rules of each platform can be tested on any. */
export interface LookupEnvironment {
  readonly platform: NodeJS.Platform;
  /** The environment the backend will be started with (its PATH, and PATHEXT on Windows). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder the backend will be started in: relative commands are found from there. */
  readonly cwd: string;
  /** Whether a file can be started; by default a file that exists (and, but on Windows, is executable). */
  readonly isRunnable?: (file: string) => Promise<boolean>;
}

/** Where a command was found, or why it was not; `skipped` when it cannot be known before connecting. */
export type LookupResult =
  | { readonly kind: 'found'; readonly file: string }
  | { readonly kind: 'missing'; readonly problem: string }
  | { readonly kind: 'skipped' };

/** Windows' own default when PATHEXT is not set. */
const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/**
 * Finds the program a stdio proxy's `command` names, the way it will be found
 * when the switchboard starts it: a name with a folder separator is a path
 * (relative ones from the backend's folder), any other name is looked for in
 * each folder of PATH. On Windows the folder itself is searched first and a
 * name without one of PATHEXT's extensions is tried with each of them, as
 * cross-spawn does; elsewhere the file must be executable.
 */
export async function findCommand(command: string, environment: LookupEnvironment): Promise<LookupResult> {
  // Variables are expanded only when connecting; a secret or a missing variable cannot be resolved here.
  if (command.includes('${') || command.trim() === '') return { kind: 'skipped' };
  const windows = environment.platform === 'win32';
  const paths = windows ? path.win32 : path.posix;
  const hasSeparator = windows ? /[\\/]/.test(command) : command.includes('/');
  const extensions = windows ? windowsExtensions(environment.env) : [''];
  const runnable = environment.isRunnable ?? ((file: string) => isRunnableFile(file, windows));

  if (hasSeparator || paths.isAbsolute(command)) {
    const file = paths.resolve(environment.cwd, command);
    const found = await firstRunnable(candidatesFor(file, extensions, windows), runnable);
    if (found) return { kind: 'found', file: found };
    return {
      kind: 'missing',
      problem: `"${command}" was not found${paths.isAbsolute(command) ? '' : ` in ${environment.cwd}`}${windows ? '' : ' as an executable file'}.`,
    };
  }

  const folders = searchFolders(environment, windows);
  for (const folder of folders) {
    const found = await firstRunnable(candidatesFor(paths.join(folder, command), extensions, windows), runnable);
    if (found) return { kind: 'found', file: found };
  }
  return {
    kind: 'missing',
    problem: `"${command}" is not on PATH (${folders.length} ${folders.length === 1 ? 'folder' : 'folders'} searched).`,
  };
}

/**
 * Looks up a stdio entry's command as the switchboard will start it: with the
 * extension host's environment (the server process inherits it) plus the
 * entry's own, in its `cwd` or else the server's folder, after expanding the
 * variables that have a value here. A URL entry, or one whose command needs a
 * secret, is skipped.
 */
export async function findEntryCommand(entry: ProxyEntry, workspaceFolder: string | undefined): Promise<LookupResult> {
  if (entry.command === undefined) return { kind: 'skipped' };
  let expanded: ProxyEntry;
  try {
    expanded = expandEntry(
      { command: entry.command, ...(entry.env !== undefined && { env: entry.env }), ...(entry.cwd !== undefined && { cwd: entry.cwd }) },
      { env: process.env, userHome: homedir(), workspaceFolder, secret: () => undefined },
    );
  } catch {
    return { kind: 'skipped' };
  }
  return await findCommand(expanded.command ?? '', {
    platform: process.platform,
    env: { ...process.env, ...expanded.env },
    cwd: expanded.cwd === undefined ? process.cwd() : path.resolve(process.cwd(), expanded.cwd),
  });
}

/** The value of a variable; Windows spells names in any case (`Path`, `PATH`). */
function variable(env: LookupEnvironment['env'], name: string, windows: boolean): string | undefined {
  if (!windows) return env[name];
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

function windowsExtensions(env: LookupEnvironment['env']): string[] {
  const list = variable(env, 'PATHEXT', true) ?? DEFAULT_PATHEXT;
  return list.split(';').map((extension) => extension.trim()).filter((extension) => extension !== '');
}

/** Where a POSIX system looks when PATH is not set at all. */
const DEFAULT_POSIX_PATH = '/usr/bin:/bin';

function searchFolders({ env, cwd }: LookupEnvironment, windows: boolean): string[] {
  const entries = (variable(env, 'PATH', windows) ?? (windows ? '' : DEFAULT_POSIX_PATH)).split(windows ? ';' : ':');
  // An empty entry on POSIX means the current folder; Windows quotes folders with a ";" in them.
  const folders = entries.map((entry) => (windows ? entry.replace(/^"(.*)"$/, '$1') : entry)).map((entry) => (entry === '' ? (windows ? '' : cwd) : entry));
  const searched = windows ? [cwd, ...folders] : folders;
  return [...new Set(searched.filter((folder) => folder !== ''))];
}

/** The files a name stands for: itself, and on Windows itself with each PATHEXT extension. */
function candidatesFor(file: string, extensions: readonly string[], windows: boolean): string[] {
  if (!windows) return [file];
  const extension = path.win32.extname(file).toUpperCase();
  const listed = extensions.some((candidate) => candidate.toUpperCase() === extension);
  // A name that already ends in one of PATHEXT's extensions is taken as it is.
  if (listed) return [file];
  return [...(extension !== '' ? [file] : []), ...extensions.map((candidate) => `${file}${candidate}`)];
}

async function firstRunnable(candidates: readonly string[], runnable: (file: string) => Promise<boolean>): Promise<string | undefined> {
  for (const candidate of candidates) {
    if (await runnable(candidate)) return candidate;
  }
  return undefined;
}

async function isRunnableFile(file: string, windows: boolean): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    if (!windows) await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
