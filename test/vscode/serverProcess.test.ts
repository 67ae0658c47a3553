import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import {
  activateExtension,
  EVERYTHING,
  everything,
  isAlive,
  lmTool,
  resetSettings,
  startInVsCodeMcp,
  textOf,
  waitFor,
  waitForProxy,
  writeProxies,
} from './support';

/** Process ids of running server-everything stdio backends (to find orphans). */
function everythingProcesses(): number[] {
  const output = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return output
    .split('\n')
    .filter((line) => line.includes(EVERYTHING) && /\sstdio\s*$/.test(line))
    .map((line) => Number.parseInt(line.trim(), 10));
}

describe('The server process is supervised', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;

  before(async () => {
    api = await activateExtension();
    await resetSettings();
    await writeProxies('user', { everything });
    await waitForProxy(api, 'everything', 'connected');
  });
  after(resetSettings);

  it('comes back after its process is killed, remounts the proxies, and VS Code reaches it again', async () => {
    await startInVsCodeMcp();
    await waitFor('everything_echo in vscode.lm.tools', () => lmTool('everything_echo'));
    const killed = api.serverProcessId();
    assert.ok(killed);
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
  });

  it('Restart Server ends the old process and its backends, leaving no orphans', async () => {
    const before = api.serverProcessId();
    const backendsBefore = everythingProcesses();
    await vscode.commands.executeCommand(Command.restartServer);
    assert.notEqual(api.serverProcessId(), before);
    assert.ok(before !== undefined && !isAlive(before), 'the old server process is gone');
    await waitForProxy(api, 'everything', 'connected');
    await waitFor('the old backends to be gone', () => backendsBefore.every((pid) => !isAlive(pid)), 10_000);
    assert.equal(everythingProcesses().length, 1, 'one backend for one proxy');
  });
});
