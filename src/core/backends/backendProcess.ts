import type { ChildProcess } from 'node:child_process';
import spawn from 'cross-spawn';
import type { ProxyEntry } from '../registry/registry';

/**
 * Starting a stdio backend's process. Kept apart from the MCP transport, and
 * free of the SDK and zod, so that the CLI can start backends before it has
 * loaded the rest of itself (see EarlyStarts): a backend then boots while the
 * switchboard does.
 */

/**
 * A backend that could not be started at all (no such program, no permission,
 * a variable with no value): retrying soon cannot help, so it is retried slowly.
 */
export class CannotStartError extends Error {}

/** What a stdio backend is started with, after `${…}` expansion. */
export interface StdioBackendParameters {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string | undefined;
}

/** A backend's process, with its start and its end recorded from the moment it was spawned. */
export interface BackendProcess {
  readonly parameters: StdioBackendParameters;
  readonly child: ChildProcess;
  /** Resolves once it runs; rejects with a CannotStartError that says why it could not start. */
  readonly started: Promise<void>;
  /** Resolves when it has exited and its pipes are closed. */
  readonly closed: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/**
 * The environment variables a backend inherits from the switchboard: the
 * SDK's safe default list (the same names, checked by a test), so the
 * switchboard's token and secrets never reach backends.
 */
export const SAFE_ENVIRONMENT_NAMES: readonly string[] =
  process.platform === 'win32'
    ? ['APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PATH', 'PROCESSOR_ARCHITECTURE', 'SYSTEMDRIVE', 'SYSTEMROOT', 'TEMP', 'USERNAME', 'USERPROFILE', 'PROGRAMFILES']
    : ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];

/** How a command entry (already expanded) is started: the safe environment plus the entry's own. */
export function stdioParameters(entry: ProxyEntry): StdioBackendParameters {
  const inherited: Record<string, string> = {};
  for (const name of SAFE_ENVIRONMENT_NAMES) {
    const value = process.env[name];
    // A value starting with "()" is an exported shell function: never passed on.
    if (value !== undefined && !value.startsWith('()')) inherited[name] = value;
  }
  return { command: entry.command ?? '', args: entry.args ?? [], env: { ...inherited, ...entry.env }, cwd: entry.cwd };
}

/** Starts a backend's process in its own process group (so ending it ends what it started too). */
export function launchBackend(parameters: StdioBackendParameters): BackendProcess {
  const { command, args, env, cwd } = parameters;
  const child = spawn(command, [...args], {
    env,
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own group, so closing ends grandchildren too (POSIX only: Windows has no groups).
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error: NodeJS.ErrnoException) => reject(new CannotStartError(spawnErrorMessage(command, cwd, error))));
  });
  started.catch(() => undefined); // Whoever takes the process hears of it; until then it is not unhandled.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { parameters, child, started, closed };
}

/** Sends a signal to a backend's whole process group (its process alone on Windows); quiet when it is gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function spawnErrorMessage(command: string, cwd: string | undefined, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return cwd !== undefined
      ? `Cannot run "${command}" in "${cwd}": the command or the folder does not exist. Check the command is installed and on PATH, and the cwd.`
      : `Cannot run "${command}": no such command. Check it is installed and on PATH, or give its full path.`;
  }
  if (error.code === 'EACCES') return `Cannot run "${command}": permission denied. Make it executable.`;
  // Entries are held under the limits; variables expanded into them can still go past what the system starts.
  if (error.code === 'E2BIG') return `Cannot run "${command}": its arguments and environment, with variables expanded, are too long for the system.`;
  return `Cannot run "${command}": ${error.message}`;
}
