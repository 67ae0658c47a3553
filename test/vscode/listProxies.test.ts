import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import type { UserQuestion } from '../../src/extension/server/userQuestions';
import {
  activateAndStartServer,
  everything,
  pick,
  proxiesIn,
  QuickInputRecorder,
  resetSettings,
  waitForProxy,
  waitForProxyGone,
  writeProxies,
} from './support';

type Pick = vscode.QuickPick<vscode.QuickPickItem>;

describe('List Proxies and Remove Proxy… from the command palette', function () {
  this.timeout(90_000);
  let api: SwitchboardTestApi;
  let inputs: QuickInputRecorder;
  let toolCount: number;

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    await writeProxies('user', { listed: everything, resting: { ...everything, enabled: false } });
    toolCount = (await waitForProxy(api, 'listed', 'connected')).toolCount;
    await waitForProxy(api, 'resting', 'disabled');
  });
  beforeEach(() => {
    inputs = new QuickInputRecorder(api);
  });
  afterEach(async () => {
    inputs.dispose();
    api.answerQuestions(undefined);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });
  after(resetSettings);

  it('lists each proxy with its state and tool count; picking one offers its actions', async () => {
    const done = vscode.commands.executeCommand(Command.listProxies);
    const list = await inputs.next<Pick>();
    assert.deepEqual(
      list.items.map(({ label, description }) => ({ label, description })),
      [
        { label: '$(pass-filled) listed', description: `${toolCount} tools · user` },
        { label: '$(circle-slash) resting', description: 'disabled · user' },
      ],
    );
    await pick(list, 'resting');

    const actions = await inputs.next<Pick>();
    assert.equal(actions.title, 'Proxy "resting"');
    assert.deepEqual(
      actions.items.map((item) => item.label),
      ['$(debug-restart) Restart', '$(check) Enable', '$(edit) Edit in Settings', '$(trash) Remove', '$(output) Show Logs'],
    );
    await pick(actions, 'Enable');
    await done;
    assert.deepEqual(proxiesIn('user').resting, everything);
    await waitForProxy(api, 'resting', 'connected');
  });

  it('Remove Proxy… asks which proxy, then for confirmation', async () => {
    const questions: UserQuestion[] = [];
    api.answerQuestions((question) => {
      questions.push(question);
      return true;
    });
    const done = vscode.commands.executeCommand(Command.removeProxy);
    const which = await inputs.next<Pick>();
    assert.deepEqual(
      which.items.map((item) => item.label),
      ['listed', 'resting'],
    );
    await pick(which, 'resting');
    await done;

    assert.deepEqual(
      questions.map((question) => question.message),
      ['Remove the proxy "resting"?'],
    );
    assert.equal(proxiesIn('user').resting, undefined);
    assert.deepEqual(proxiesIn('user').listed, everything, 'the other proxy stays');
    await waitForProxyGone(api, 'resting');
  });
});
