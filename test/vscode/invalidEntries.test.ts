import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import { activateAndStartServer, resetSettings, waitFor, writeProxies } from './support';

/** The message the settings schema gives an entry with neither a url nor a command. */
const NEEDS_URL_OR_COMMAND = 'A proxy needs a "url" (http:// or https://) or a "command" to run.';

describe('Entries that are not valid: every problem, in words', function () {
  this.timeout(60_000);
  let api: SwitchboardTestApi;

  const treeItem = (name: string) => api.treeSnapshot().find((item) => item.label === name);

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    await writeProxies('user', {
      nothing: {},
      twice: { url: 'ftp://example.com/mcp', args: ['--stdio'], timeoutMs: 5 },
      typo: { command: 'node', arg: ['server.js'] },
    });
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await resetSettings();
  });

  it('says on the row, in a few words, what is wrong first', async () => {
    const nothing = await waitFor('"nothing" in the tree', () => treeItem('nothing'));
    assert.equal(nothing.description, 'invalid: give a "url" or a "command" to run · user');
    assert.equal(nothing.icon, 'warning');
    assert.equal(treeItem('twice')?.description, 'invalid: "timeoutMs" must be at least 100 · user');
  });

  it('lists every problem in the tooltip, not only the first, and not as a last error', async () => {
    const twice = await waitFor('"twice" in the tree', () => treeItem('twice'));
    const tooltip = twice.tooltip ?? '';
    assert.match(tooltip, /3 problems:/);
    for (const problem of [
      '"timeoutMs" must be at least 100.',
      'uses ftp: only http:// and https:// URLs are supported.',
      '"args" applies to a "command" proxy, not to a "url" one.',
    ]) {
      assert.ok(tooltip.includes(problem), `the tooltip says ${problem}\n${tooltip}`);
    }
    assert.doesNotMatch(tooltip, /Last error/);
    assert.doesNotMatch(tooltip, /invalid settings entry/);
    assert.match(treeItem('typo')?.tooltip ?? '', /"arg" is not a setting of a proxy: remove it or check the spelling\./);
    assert.match(treeItem('nothing')?.tooltip ?? '', /Problem:\n\n- Give a "url" \(http:\/\/ or https:\/\/\) or a "command" to run\./);
  });

  it('makes the settings file say an entry needs a url or a command, not that "command" is missing', async () => {
    await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    const document = await waitFor('the user settings file', () => vscode.window.activeTextEditor?.document);
    const messages = await waitFor('the JSON language server to check the settings', () => {
      const found = vscode.languages.getDiagnostics(document.uri).map((diagnostic) => diagnostic.message);
      return found.includes(NEEDS_URL_OR_COMMAND) && found;
    });
    assert.ok(!messages.some((message) => message.includes('Missing property')), messages.join('\n'));
  });
});
