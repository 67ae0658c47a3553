import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import {
  activateExtension,
  EVERYTHING,
  NODE,
  pick,
  proxiesIn,
  QuickInputRecorder,
  resetSettings,
  typeAndEnter,
  waitFor,
  waitForProxy,
} from './support';

/** The command line a user would type for server-everything, quoted where paths have spaces. */
const everythingCommandLine = [NODE, EVERYTHING, 'stdio'].map((word) => (/\s/.test(word) ? `"${word}"` : word)).join(' ');

describe('Add Proxy… (multi-step quick input)', function () {
  this.timeout(90_000);
  let api: SwitchboardTestApi;
  let inputs: QuickInputRecorder;

  before(async () => {
    api = await activateExtension();
    await resetSettings();
  });
  beforeEach(() => {
    inputs = new QuickInputRecorder(api);
  });
  afterEach(async () => {
    inputs.dispose();
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });
  after(resetSettings);

  it('refuses bad names and bad targets inline, then saves to workspace settings and the tree shows the proxy', async () => {
    const done = vscode.commands.executeCommand(Command.addProxy);

    const name = await inputs.next<vscode.InputBox>();
    assert.equal(name.step, 1);
    assert.match((await typeAndEnter(name, '')) ?? '', /is not a valid proxy name: use 1–32 characters of letters, digits, "_" and "-"/);
    assert.match((await typeAndEnter(name, 'has space')) ?? '', /"has space" is not a valid proxy name/);
    assert.match((await typeAndEnter(name, 'x'.repeat(33))) ?? '', /is not a valid proxy name/);
    assert.match((await typeAndEnter(name, 'dots.are.out')) ?? '', /"dots.are.out" is not a valid proxy name/);
    assert.equal(await typeAndEnter(name, 'added'), undefined);

    const target = await inputs.next<vscode.InputBox>();
    assert.equal(target.step, 2);
    assert.match((await typeAndEnter(target, '   ')) ?? '', /Type the URL of an MCP server/);
    assert.match((await typeAndEnter(target, 'ftp://example.com/mcp')) ?? '', /uses ftp: only http:\/\/ and https:\/\/ URLs are supported/);
    assert.match((await typeAndEnter(target, 'http://')) ?? '', /"http:\/\/" is not a URL/);
    assert.match((await typeAndEnter(target, 'node "server.js')) ?? '', /double quote is not closed/);
    assert.equal(await typeAndEnter(target, everythingCommandLine), undefined);

    const scope = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
    assert.equal(scope.step, 3);
    assert.deepEqual(
      scope.items.map((item) => item.label),
      ['$(folder) Workspace settings', '$(account) User settings'],
    );
    await pick(scope, 'Workspace settings');
    await done;

    assert.deepEqual(proxiesIn('workspace').added, { command: NODE, args: [EVERYTHING, 'stdio'] });
    assert.equal(proxiesIn('user').added, undefined);
    await waitForProxy(api, 'added', 'connected');
    const item = await waitFor('the tree to show "added" connected', () =>
      api.treeSnapshot().find((candidate) => candidate.label === 'added' && candidate.icon === 'pass-filled'),
    );
    assert.match(item.description ?? '', /^stdio · \d+ tools · workspace$/);
    assert.deepEqual(
      item.children.map((child) => child.label),
      ['Tools', 'Resources', 'Prompts'],
    );
    const tools = item.children[0]?.children ?? [];
    assert.ok(tools.some((tool) => tool.label === 'echo' && tool.checked === true && tool.description === 'added_echo'));
  });

  it('warns (without refusing) when the name exists, and saves a URL proxy in user settings', async () => {
    const done = vscode.commands.executeCommand(Command.addProxy);
    const name = await inputs.next<vscode.InputBox>();
    await typeAndEnter(name, 'added');
    const warning = name.validationMessage;
    assert.ok(typeof warning === 'object' && warning.severity === vscode.InputBoxValidationSeverity.Warning);
    assert.match(warning.message, /already in workspace settings: saving replaces it/);

    // The warning does not block: Enter moved on to step 2. Cancelling there leaves settings alone.
    const target = await inputs.next<vscode.InputBox>();
    assert.equal(target.step, 2);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await done;
    assert.deepEqual(proxiesIn('workspace').added, { command: NODE, args: [EVERYTHING, 'stdio'] }, 'cancelling changed nothing');

    const second = vscode.commands.executeCommand(Command.addProxy);
    await typeAndEnter(await inputs.next<vscode.InputBox>(), 'unreachable');
    await typeAndEnter(await inputs.next<vscode.InputBox>(), 'http://127.0.0.1:9/mcp');
    await pick(await inputs.next(), 'User settings');
    await second;
    assert.deepEqual(proxiesIn('user').unreachable, { url: 'http://127.0.0.1:9/mcp' });
    const status = await waitForProxy(api, 'unreachable', 'error');
    assert.equal(status.scope, 'user');
    await waitFor('the tree to show "unreachable" in error', () =>
      api.treeSnapshot().find((item) => item.label === 'unreachable' && item.icon === 'error' && /127\.0\.0\.1:9/.test(item.tooltip ?? '')),
    );
  });

  it('saves a command that is not on PATH when asked to, and the row says why it fails', async () => {
    // The warning shown while typing, and Back keeping step 2, need real keystrokes: the UI suite types them (test/bed/ui).
    const done = vscode.commands.executeCommand(Command.addProxy);
    await typeAndEnter(await inputs.next<vscode.InputBox>(), 'missing');
    assert.equal(await typeAndEnter(await inputs.next<vscode.InputBox>(), 'definitely-not-a-command --stdio'), undefined, 'not found is not refused');
    await pick(await inputs.next(), 'User settings');
    await done;

    assert.deepEqual(proxiesIn('user').missing, { command: 'definitely-not-a-command', args: ['--stdio'] });
    const status = await waitForProxy(api, 'missing', 'error');
    assert.match(status.error ?? '', /no such command/);
    await waitFor('the row to say why it fails', () =>
      api.treeSnapshot().find((item) => item.label === 'missing' && item.description === 'stdio · error: no such command · user'),
    );
  });
});
