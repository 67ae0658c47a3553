import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import type { UserQuestion } from '../../src/extension/server/userQuestions';
import {
  accept,
  activateAndStartServer,
  everything,
  lmTool,
  pick,
  proxiesIn,
  QuickInputRecorder,
  resetSettings,
  sleep,
  startInVsCodeMcp,
  textOf,
  typeAndEnter,
  waitFor,
  waitForProxy,
  writeProxies,
} from './support';

/** New each run: SecretStorage outlives a run whose profile is kept (test-electron), and a stored value would hide "missing". */
const KEY = `test-token-${Date.now()}`;
const FIRST_VALUE = `first-${Math.random().toString(36).slice(2)}`;
const SECOND_VALUE = `second-${Math.random().toString(36).slice(2)}`;
const TYPED_KEY = `typed-${Date.now()}`;
const TYPED_VALUE = `typed-${Math.random().toString(36).slice(2)}`;
/** server-everything's get-env prints its environment: the variable shows what the backend received. */
const VARIABLE = 'SWITCHBOARD_TEST_TOKEN';

/** Fails when `value` is anywhere in the switchboard's settings or the workspace's settings file. */
async function assertNotInSettings(value: string): Promise<void> {
  assert.ok(!JSON.stringify(proxiesIn('user')).includes(value), 'not in user settings');
  assert.ok(!JSON.stringify(proxiesIn('workspace')).includes(value), 'not in workspace settings');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return;
  const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
  const text = await vscode.workspace.fs.readFile(file).then((bytes) => new TextDecoder().decode(bytes), () => '');
  assert.ok(!text.includes(value), `not in ${file.fsPath}`);
}

describe('Secrets: ${secret:KEY} comes from SecretStorage, never from settings', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;
  let inputs: QuickInputRecorder;

  /** The value of the variable in the backend's environment, through VS Code's MCP client. */
  const backendVariable = async (): Promise<string | undefined> => {
    const tool = await waitFor('secretive_get-env in vscode.lm.tools', () => lmTool('secretive_get-env'));
    const text = textOf(await vscode.lm.invokeTool(tool.name, { input: {}, toolInvocationToken: undefined }));
    return (JSON.parse(text) as Record<string, string | undefined>)[VARIABLE];
  };

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    inputs = new QuickInputRecorder(api);
  });
  after(async () => {
    inputs.dispose();
    api.answerQuestions(undefined);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await resetSettings();
  });

  it('asks for a missing secret while the tree and the status bar say what is missing; the entered value reaches the backend', async () => {
    const asked = new Promise<UserQuestion>((resolve) =>
      api.answerQuestions((question) => {
        resolve(question);
        return true; // "Enter Secret"
      }),
    );
    await writeProxies('user', { secretive: { ...everything, env: { [VARIABLE]: `\${secret:${KEY}}` } } });

    const question = await asked;
    assert.equal(question.message, `Proxy "secretive" needs the secret "${KEY}", which is not set.`);
    assert.equal(question.allow, 'Enter Secret');
    assert.equal(question.modal, false, 'a reminder, not a modal');

    const missing = `\${secret:${KEY}} has no value: store the secret "${KEY}" first.`;
    const failed = await waitForProxy(api, 'secretive', 'error');
    assert.ok(failed.error?.includes(missing), failed.error);
    const item = await waitFor('"secretive" in error in the tree', () => api.treeSnapshot().find((candidate) => candidate.label === 'secretive' && candidate.icon === 'error'));
    assert.ok(item.tooltip?.includes(missing), item.tooltip);
    assert.match(api.statusBarSnapshot().tooltip ?? '', /Failing: secretive\./);

    const box = await inputs.next<vscode.InputBox>();
    assert.equal(box.password, true, 'the value is masked');
    assert.match(box.prompt ?? '', /used by proxy "secretive".*never in settings/);
    assert.equal(await typeAndEnter(box, FIRST_VALUE), undefined);

    await waitForProxy(api, 'secretive', 'connected');
    await startInVsCodeMcp();
    assert.equal(await waitFor('get-env to answer', backendVariable), FIRST_VALUE);
    await assertNotInSettings(FIRST_VALUE);
    assert.deepEqual(proxiesIn('user').secretive, { ...everything, env: { [VARIABLE]: `\${secret:${KEY}}` } }, 'settings keep the reference');
  });

  it('Set Secret… offers the keys the proxies use, and a new value reconnects the proxy with it', async () => {
    const done = vscode.commands.executeCommand(Command.setSecret);
    const keys = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
    assert.deepEqual(
      keys.items.map(({ label, description }) => ({ label, description })),
      [{ label: KEY, description: 'used by secretive' }],
    );
    await pick(keys, KEY);
    assert.equal(await typeAndEnter(await inputs.next<vscode.InputBox>(), SECOND_VALUE), undefined);
    await done;

    await waitFor('the backend to run with the new value', async () => (await backendVariable()) === SECOND_VALUE);
    await assertNotInSettings(SECOND_VALUE);
  });

  it('Set Secret… takes a key typed by name, refuses one that cannot be a key, and stores the value', async () => {
    const questions: UserQuestion[] = [];
    api.answerQuestions((question) => {
      questions.push(question);
      return false;
    });
    const done = vscode.commands.executeCommand(Command.setSecret);
    const keys = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
    assert.match(keys.placeholder ?? '', /^Type the KEY of \$\{secret:KEY\}, or pick one a proxy uses/);

    keys.value = 'has space';
    await waitFor('the typed text to be refused', () => keys.items[0]?.label.startsWith('$(warning)'));
    // Enter on it does nothing: the next input (below) is for the key typed after it.
    await accept();
    await sleep(150);

    keys.value = TYPED_KEY;
    await waitFor('the typed key to be offered', () => keys.items[0]?.label === TYPED_KEY);
    assert.deepEqual(keys.items.map((item) => item.label), [TYPED_KEY, KEY], 'the known keys stay to pick from');
    await accept();
    const box = await inputs.next<vscode.InputBox>();
    assert.equal(box.title, `Secret "${TYPED_KEY}"`, 'the first input after the refused key is for the typed one');
    assert.equal(await typeAndEnter(box, TYPED_VALUE), undefined);
    await done;

    // Stored: a proxy that uses it connects with the value, and nothing asks for it.
    await writeProxies('user', { secretive: { ...everything, env: { [VARIABLE]: `\${secret:${TYPED_KEY}}` } } });
    await waitFor('the backend to run with the typed key\'s value', async () => (await backendVariable()) === TYPED_VALUE);
    assert.deepEqual(questions, [], 'no reminder: the secret was set');
    await assertNotInSettings(TYPED_VALUE);
  });
});
