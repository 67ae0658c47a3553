/**
 * A real VS Code (code-server: VS Code's server with its web workbench) in a
 * throwaway profile: its own HOME, user data, extensions and workspace folder,
 * all under one temporary folder that teardown deletes.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tools } from './provision';
import { runStep, startDetached, StepError, stopProcessesOfHome, stopProcessTree } from './processes';
import type { Teardown } from './teardown';

export interface Profile {
  readonly root: string;
  readonly userData: string;
  readonly extensions: string;
  readonly workspace: string;
  /** The environment code-server and its extension hosts run with. */
  readonly env: NodeJS.ProcessEnv;
}

/** User settings that keep the workbench quiet and deterministic for a test. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'window.restoreWindows': 'none',
  // The chat panel would open beside every window and crowd screenshots.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The user's shared switchboard, which windows attach to: not on 47115, which this machine's user may be using.
  'mcpSwitchboard.port': 41000 + Math.floor(Math.random() * 8000),
};

/** Creates the throwaway profile; teardown deletes it. `extraEnv` reaches the extension host. */
export function createProfile(teardown: Teardown, extraEnv: Record<string, string> = {}): Profile {
  const root = mkdtempSync(join(tmpdir(), 'mcp-switchboard-bed-'));
  teardown.add(`deleting ${root}`, () => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  // Runs after code-server's tree is stopped: what left that tree still runs
  // with the profile's HOME — the user's shared switchboard a window started
  // detached, once the extension host that started it has gone, and its backends.
  teardown.add('stopping what the profile left running outside code-server', () => stopProcessesOfHome(home));
  const userData = join(root, 'user-data');
  const extensions = join(root, 'extensions');
  const workspace = join(root, 'workspace');
  const temp = join(root, 'tmp');
  const runtime = join(root, 'run');
  for (const folder of [home, join(userData, 'User'), extensions, workspace, temp]) mkdirSync(folder, { recursive: true });
  mkdirSync(runtime, { mode: 0o700 });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));

  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Variables of a VS Code the runner may have been started from (its
    // terminal, its CLI hook, Electron's node mode) would steer this one.
    if (!/^(VSCODE_|ELECTRON_)/.test(key)) env[key] = value;
  }
  // code-server writes ~/.config/code-server/config.yaml on first start,
  // VS Code and Chromium write their caches and key stores under HOME and the
  // XDG folders, and VS Code's git extension leaves sockets in the temporary
  // folder when it is killed, and the user's shared switchboard keeps its
  // discovery file and window socket in the runtime folder: all of it lands in the profile.
  Object.assign(env, {
    HOME: home,
    TMPDIR: temp,
    XDG_RUNTIME_DIR: runtime,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    ...extraEnv,
  });
  return { root, userData, extensions, workspace, env };
}

/** Installs the .vsix the way a user would, and returns the folder VS Code unpacked it to. */
export async function installExtension(tools: Tools, profile: Profile, vsix: string, extensionId: string): Promise<string> {
  await runStep(
    'Installing the .vsix into code-server',
    tools.node24,
    [tools.codeServerEntry, '--user-data-dir', profile.userData, '--extensions-dir', profile.extensions, '--install-extension', vsix, '--force'],
    { env: profile.env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const folder = readdirSync(profile.extensions).find((name) => name.toLowerCase().startsWith(`${extensionId.toLowerCase()}-`));
  if (!folder) throw new StepError(`code-server reported the .vsix installed, but ${profile.extensions} has no ${extensionId}-<version> folder.`);
  return join(profile.extensions, folder);
}

export interface RunningCodeServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  /** Everything code-server printed so far, for a failure report. */
  output(): string;
  /** Rejects if code-server exits before `stop` or teardown stops it. */
  readonly died: Promise<never>;
  /** Stops code-server and its process tree (once; teardown calls it too). */
  stop(): Promise<void>;
}

/**
 * Starts code-server on a loopback port (a free one unless `port` is given),
 * with no authentication (only this machine can reach it) and the smoke-test
 * driver that makes the workbench honour a test payload and report the
 * extension host's exit.
 */
export async function startCodeServer(tools: Tools, profile: Profile, teardown: Teardown, port = 0): Promise<RunningCodeServer> {
  const args = [
    tools.codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--config', join(profile.root, 'code-server.yaml'),
    '--user-data-dir', profile.userData,
    '--extensions-dir', profile.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
    profile.workspace,
  ];
  const child = startDetached(tools.node24, args, { env: profile.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new StepError(`Cannot start code-server with ${tools.node24}.`);
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopProcessTree(pid));
  teardown.add('stopping code-server and everything it started', stop);

  // Its log is kept to show when something goes wrong, and echoed live when
  // MCP_SWITCHBOARD_BED_VERBOSE is set.
  const log: string[] = [];
  const verbose = Boolean(process.env.MCP_SWITCHBOARD_BED_VERBOSE);
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    log.push(text);
    if (verbose) process.stderr.write(text.replace(/^/gm, '[code-server] '));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const listening = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StepError(`code-server did not start listening within 60 s. Its output:\n${log.join('')}`)), 60_000);
    const watch = () => {
      // code-server announces the address it bound, with the port the system chose.
      const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new StepError(`code-server exited (${code ?? signal}) before it listened. Its output:\n${log.join('')}`));
    });
  });
  const died = new Promise<never>((_, fail) => {
    child.once('exit', (code, signal) => {
      if (!stopped) fail(new StepError(`code-server exited (${code ?? signal}) while the tests ran.`));
    });
  });
  died.catch(() => undefined); // Observed by whoever races it; never an unhandled rejection.
  return { origin: `http://127.0.0.1:${listening}`, port: listening, output: () => log.join(''), died, stop };
}
