import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Discovery, liveDiscovery } from '../../core/user/discovery';
import { ensurePrivateFolder, type UserFiles } from '../../core/user/userFiles';

/** How long a switchboard that was started may take to say where it listens. */
const START_TIMEOUT_MS = 15_000;

export interface UserSwitchboardStart {
  /** The Node to run it with: the extension host's own binary (Electron in node mode on the desktop). */
  readonly node: string;
  /** The CLI to run: a copy that outlives extension updates, as the switchboard may outlive this window. */
  readonly cli: string;
  /** VS Code's user settings.json: the registry it serves. */
  readonly settings: string;
  readonly port: number;
  /** The environment it runs with (the extension host's); `files` must be the user files it gives. */
  readonly env: NodeJS.ProcessEnv;
  readonly files: UserFiles;
}

/** The user's switchboard could not be started: this says why, in its own words when it said any. */
export class SwitchboardNotStarted extends Error {}

/**
 * Starts `mcp-switchboard --user` detached from the extension host (it
 * serves other windows and `connect` clients, and ends by itself when none
 * is left), its output appended to the user's log, and resolves with its
 * discovery once it listens. The port is the lock: when two windows start
 * one at once, the second exits 0 saying one runs, and both get the
 * discovery of the one that won.
 */
export async function startUserSwitchboard(start: UserSwitchboardStart): Promise<Discovery> {
  const { files } = start;
  // Before the first setting, VS Code has no settings.json: an empty one (as VS Code writes it) is read as
  // VS Code's settings, where the switchboard would otherwise create a registry file of its own format there.
  await writeFile(start.settings, '{}\n', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST' && error.code !== 'ENOENT') throw error; // No such folder: the switchboard says so itself.
  });
  await ensurePrivateFolder(dirname(files.log));
  const log = openSync(files.log, 'a', 0o600);
  let exited: Promise<string>;
  try {
    const child = spawn(start.node, [start.cli, '--user', '--config', start.settings, '--port', String(start.port)], {
      detached: true,
      stdio: ['ignore', log, log],
      // ELECTRON_RUN_AS_NODE makes the desktop host's Electron binary behave as Node; a Node host ignores it.
      env: { ...start.env, ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    child.unref();
    exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(error.message));
      child.once('exit', (code, signal) => {
        if (code === 0) return; // Another one holds the port and says so: its discovery file comes.
        void readFile(files.log, 'utf8').then(
          (text) => resolve(lastSaid(text) ?? `it ended with ${signal ?? `code ${code}`}`),
          () => resolve(`it ended with ${signal ?? `code ${code}`}`),
        );
      });
    });
  } finally {
    closeSync(log); // The child has its own copy.
  }
  const found = await Promise.race([liveDiscovery(files.discovery, START_TIMEOUT_MS), exited.then((reason) => ({ reason }))]);
  if (found && 'reason' in found) throw new SwitchboardNotStarted(`the user's switchboard could not start: ${found.reason}`);
  if (!found) throw new SwitchboardNotStarted(`the user's switchboard did not start within ${START_TIMEOUT_MS / 1000} s; see ${files.log}.`);
  return found;
}

/**
 * The last line the switchboard wrote about itself, without its name. Its
 * advice for a taken port names the CLI's flag; here the window passes the
 * port from a setting, so the setting is what to change.
 */
function lastSaid(log: string): string | undefined {
  const line = log.trimEnd().split('\n').reverse().find((candidate) => candidate.startsWith('mcp-switchboard: '));
  return line?.slice('mcp-switchboard: '.length).replace(/start with --port N\.$/, 'set mcpSwitchboard.port to a free port.');
}
