import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { ProxyTreeNode } from '../../src/extension/views/proxyTree';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import type { UserQuestion } from '../../src/extension/server/userQuestions';
import {
  activateAndStartServer,
  EVERYTHING,
  everything,
  isAlive,
  proxiesIn,
  resetSettings,
  waitFor,
  waitForProxy,
  waitForProxyGone,
  writeProxies,
} from './support';

/** What the context menu hands its commands: the proxy's tree node. */
const proxyNode = (name: string): ProxyTreeNode => ({ kind: 'proxy', name });

/** Process ids of the server-everything backends the switchboard's server process started. */
function backendProcessIds(serverPid: number | undefined): number[] {
  const output = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return output
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null && Number(match[2]) === serverPid && match[3]?.includes(EVERYTHING))
    .map((match) => Number(match?.[1]));
}

describe('Proxy actions of the tree item context menu', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;
  let questions: UserQuestion[];

  const treeItem = (name: string) => api.treeSnapshot().find((item) => item.label === name);
  const answer = (allow: boolean) =>
    api.answerQuestions((question) => {
      questions.push(question);
      return allow;
    });

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    await writeProxies('user', { acted: everything });
    await waitForProxy(api, 'acted', 'connected');
  });
  beforeEach(() => {
    questions = [];
  });
  afterEach(() => api.answerQuestions(undefined));
  after(resetSettings);

  it('Disable writes "enabled": false, the proxy goes down and its item offers Enable', async () => {
    await vscode.commands.executeCommand(Command.disableProxy, proxyNode('acted'));
    assert.deepEqual(proxiesIn('user').acted, { ...everything, enabled: false });
    const status = await waitForProxy(api, 'acted', 'disabled');
    assert.equal(status.toolCount, 0);
    const item = await waitFor('"acted" disabled in the tree', () => treeItem('acted')?.contextValue === 'proxy.disabled' && treeItem('acted'));
    assert.equal(item.icon, 'circle-slash');
    assert.match(item.description ?? '', /^stdio · disabled · user$/);
  });

  it('Enable takes "enabled" out of the entry again and the proxy reconnects', async () => {
    await vscode.commands.executeCommand(Command.enableProxy, proxyNode('acted'));
    assert.deepEqual(proxiesIn('user').acted, everything, 'enabled is the default, so the key goes');
    const status = await waitForProxy(api, 'acted', 'connected');
    assert.ok(status.toolCount > 0);
    await waitFor('"acted" enabled in the tree', () => treeItem('acted')?.contextValue === 'proxy.enabled' && treeItem('acted')?.icon === 'pass-filled');
  });

  it('Toggle disables an enabled proxy and enables a disabled one', async () => {
    await vscode.commands.executeCommand(Command.toggleProxy, proxyNode('acted'));
    assert.deepEqual(proxiesIn('user').acted, { ...everything, enabled: false });
    await waitForProxy(api, 'acted', 'disabled');
    await vscode.commands.executeCommand(Command.toggleProxy, proxyNode('acted'));
    assert.deepEqual(proxiesIn('user').acted, everything);
    await waitForProxy(api, 'acted', 'connected');
  });

  it('Edit in Settings opens the settings file that holds the proxy, at its entry, changing nothing', async () => {
    await vscode.commands.executeCommand(Command.editProxyInSettings, proxyNode('acted'));
    const editor = await waitFor('the user settings.json in an editor', () => {
      const active = vscode.window.activeTextEditor;
      return active?.document.uri.path.endsWith('/User/settings.json') && active;
    });
    const cursorLine = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(cursorLine, /^\s*"acted": \{/, `the cursor is on the proxy's entry, not on: ${cursorLine}`);
    assert.equal(editor.document.isDirty, false, 'opening it inserted nothing');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Restart ends the backend process and starts a new one', async () => {
    const [before, ...others] = await waitFor('one backend process', () => backendProcessIds(api.serverProcessId()).length > 0 && backendProcessIds(api.serverProcessId()));
    assert.deepEqual(others, [], 'one proxy runs one backend');
    assert.ok(before);
    const connectedSince = (await waitForProxy(api, 'acted', 'connected')).since;
    await vscode.commands.executeCommand(Command.restartProxy, proxyNode('acted'));
    const [after] = await waitFor('a new backend process', () => {
      const pids = backendProcessIds(api.serverProcessId());
      return pids.length === 1 && pids[0] !== before && pids;
    });
    assert.ok(after && isAlive(after));
    assert.ok(!isAlive(before), 'the old backend is gone');
    await waitFor('"acted" connected again', () => {
      const status = api.statuses().find((candidate) => candidate.name === 'acted');
      return status?.state === 'connected' && status.since > connectedSince;
    });
  });

  it('Remove asks first; declined, the proxy stays', async () => {
    answer(false);
    await vscode.commands.executeCommand(Command.removeProxy, proxyNode('acted'));
    assert.equal(questions.length, 1);
    assert.equal(questions[0]?.message, 'Remove the proxy "acted"?');
    assert.equal(questions[0]?.modal, true);
    assert.equal(questions[0]?.allow, 'Remove');
    assert.deepEqual(proxiesIn('user').acted, everything);
    assert.equal(api.statuses().find((status) => status.name === 'acted')?.state, 'connected');
    assert.ok(treeItem('acted'));
  });

  it('Remove, confirmed, deletes the entry from every scope that has it, and the tree drops it', async () => {
    await writeProxies('workspace', { acted: everything });
    await waitFor('the workspace entry to hide the user one', () => treeItem('acted')?.description?.endsWith('workspace'));
    answer(true);
    await vscode.commands.executeCommand(Command.removeProxy, proxyNode('acted'));
    assert.equal(questions.length, 1);
    assert.match(questions[0]?.detail ?? '', /It runs: .*server-everything.*\n\nIt will be deleted from workspace settings and from user settings\./s);
    assert.equal(proxiesIn('workspace').acted, undefined);
    assert.equal(proxiesIn('user').acted, undefined);
    await waitForProxyGone(api, 'acted');
    await waitFor('the tree to drop "acted"', () => treeItem('acted') === undefined);
  });
});
