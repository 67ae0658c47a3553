import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** The loopback port of the user's shared switchboard unless told otherwise: the same at every start, so clients keep their URL. */
export const DEFAULT_USER_PORT = 47115;

/** Where the user's shared switchboard keeps what must outlive it (the token) and what says it is running (discovery, log). */
export interface UserFiles {
  /** The bearer token, kept until rotated: clients configured once keep working. */
  readonly token: string;
  /** Where the running switchboard says its URL, token, pid and registry. */
  readonly discovery: string;
  /** Its log, when `connect` started it in the background. */
  readonly log: string;
  /** Where the user's processes take locks from each other (a token refresh). */
  readonly locks: string;
  /** The socket (a named pipe on Windows) on which VS Code windows attach to the running switchboard. */
  readonly windows: string;
}

/**
 * The user's files: the token in the config folder (`$XDG_CONFIG_HOME/mcp-switchboard`,
 * default `~/.config/…`), the discovery file and log in the runtime folder
 * (`$XDG_RUNTIME_DIR/mcp-switchboard`, else `run/` in the config folder).
 * Every folder is 0700 and every file 0600: another user on the machine reads none of them.
 */
export function userFiles(env: NodeJS.ProcessEnv = process.env): UserFiles {
  const config = join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'mcp-switchboard');
  const runtime = env['XDG_RUNTIME_DIR'] ? join(env['XDG_RUNTIME_DIR'], 'mcp-switchboard') : join(config, 'run');
  return {
    token: join(config, 'token'),
    discovery: join(runtime, 'switchboard.json'),
    log: join(runtime, 'switchboard.log'),
    locks: join(runtime, 'locks'),
    // A pipe's name is global on Windows: the user's name keeps users apart, and the hello's token keeps others out.
    windows: process.platform === 'win32' ? `\\\\.\\pipe\\mcp-switchboard-${userInfo().username}-windows` : join(runtime, 'windows.sock'),
  };
}

/** Writes a file only the user can read, atomically, in a folder only the user can list. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await ensurePrivateFolder(dirname(path));
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Creates the folder (0700) if needed, and sets its mode again in case it was loosened. */
export async function ensurePrivateFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}
