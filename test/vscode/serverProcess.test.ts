import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import {
  activateExtension,
  EVERYTHING,
  isAlive,
  lmTool,
  NODE,
  resetSettings,
  startInVsCodeMcp,
  textOf,
  useDefaultSwitchboard,
  useOwnSwitchboard,
  waitFor,
  waitForProxy,
  writeProxies,
} from './support';

/**
 * Marks this run's backend processes, so the tests count theirs only and not
 * those of another suite running on the machine at the same time.
 */
const MARK = `switchboard-bed-${process.pid}`;
const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The reference server over stdio, started through a shell that also leaves a
 * grandchild in the backend's process group. The grandchild holds none of the
 * backend's pipes, so it outlives the switchboard unless someone ends the group.
 */
const everythingWithGrandchild = {
  command: 'sh',
  args: [
    '-c',
    `${quoted(NODE)} -e 'setInterval(() => {}, 1000)' ${MARK}-grandchild </dev/null >/dev/null 2>&1 & exec ${quoted(NODE)} ${quoted(EVERYTHING)} stdio ${MARK}`,
  ],
};

/** Process ids of this run's processes whose command line ends with `suffix` (backends, or their grandchildren). */
function markedProcesses(suffix: string): number[] {
  const output = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return output
    .split('\n')
    .filter((line) => line.trimEnd().endsWith(` ${suffix}`))
    .map((line) => Number.parseInt(line.trim(), 10));
}

const backends = () => markedProcesses(MARK);
const grandchildren = () => markedProcesses(`${MARK}-grandchild`);
const ours = () => [...backends(), ...grandchildren()];

describe('The server process is supervised', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;

  before(async () => {
    api = await activateExtension();
    await resetSettings();
    await useOwnSwitchboard(api);
    await writeProxies('user', { everything: everythingWithGrandchild });
    await waitForProxy(api, 'everything', 'connected');
  });
  after(async () => {
    await resetSettings();
    await useDefaultSwitchboard(api);
  });

  it('comes back after its process is killed, ends the backends it left, remounts the proxies, and VS Code reaches it again', async () => {
    await startInVsCodeMcp();
    await waitFor('everything_echo in vscode.lm.tools', () => lmTool('everything_echo'));
    const killed = api.serverProcessId();
    assert.ok(killed);
    const left = await waitFor('the backend and its grandchild', () => backends().length === 1 && grandchildren().length === 1 && ours());
    process.kill(killed, 'SIGKILL');

    await waitFor('a new server process', () => api.phase().kind === 'running' && api.serverProcessId() !== killed);
    await waitForProxy(api, 'everything', 'connected');
    await waitFor('the tree to show the proxy connected again', () => api.treeSnapshot().find((item) => item.label === 'everything' && item.icon === 'pass-filled'));

    // The restarted server listens on another port: the provider announced a new definition; VS Code restarts on demand.
    await startInVsCodeMcp();
    const echo = await waitFor('everything_echo', () => lmTool('everything_echo'));
    const result = await waitFor('a call to succeed after the restart', async () =>
      textOf(await vscode.lm.invokeTool(echo.name, { input: { message: 'after restart' }, toolInvocationToken: undefined })),
    );
    assert.match(result, /after restart/);
    // Killed, the server could not end them; the extension ends what it left (SIGTERM, then SIGKILL after 2 s).
    await waitFor('the killed server’s backend and grandchild to be gone', () => left.every((pid) => !isAlive(pid)), 10_000);
    assert.equal(backends().length, 1, 'one backend for one proxy');
  });

  it('Restart Server ends the old process and its backends, leaving no orphans', async () => {
    const before = api.serverProcessId();
    const backendsBefore = await waitFor('the backend and its grandchild', () => backends().length === 1 && grandchildren().length === 1 && ours());
    await vscode.commands.executeCommand(Command.restartServer);
    assert.notEqual(api.serverProcessId(), before);
    assert.ok(before !== undefined && !isAlive(before), 'the old server process is gone');
    await waitForProxy(api, 'everything', 'connected');
    await waitFor('the old backends to be gone', () => backendsBefore.every((pid) => !isAlive(pid)), 10_000);
    assert.equal(backends().length, 1, 'one backend for one proxy');
  });
});
