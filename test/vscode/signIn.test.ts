import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import { type OAuthFixture, startOAuthFixture } from '../support/oauthFixture';
import {
  activateAndStartServer,
  lmTool,
  NODE,
  REPO,
  resetSettings,
  startInVsCodeMcp,
  textOf,
  waitFor,
  waitForProxy,
  writeProxies,
} from './support';

const FIXTURE = join(REPO, 'out', 'fixtures', 'oauth-server.js');

interface Stats {
  readonly authorizations: number;
  readonly issued: readonly string[];
}

/** The text of every settings file the switchboard could write: user settings (as VS Code opens them) and the workspace's. */
async function settingsTexts(): Promise<{ file: string; text: string }[]> {
  await vscode.commands.executeCommand('workbench.action.openSettingsJson');
  const user = vscode.window.activeTextEditor?.document;
  const texts = user ? [{ file: user.uri.toString(), text: user.getText() }] : [];
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) {
    const file = join(folder.uri.fsPath, '.vscode', 'settings.json');
    texts.push({ file, text: readOrEmpty(file) });
  }
  return texts;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe('Sign in to an OAuth-protected server', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;
  let fixture: OAuthFixture;
  let url: string;

  const stats = async (): Promise<Stats> => (await fixture.admin('stats')) as Stats;

  before(async () => {
    fixture = await startOAuthFixture(NODE, FIXTURE);
    url = fixture.url;
    api = await activateAndStartServer();
    await resetSettings();
  });

  after(async () => {
    await resetSettings();
    fixture.process.kill();
  });

  it('shows needs sign-in, signs in from Sign In through the browser, and Copilot’s path calls its tool', async () => {
    await writeProxies('user', { guarded: { url } });
    const waiting = await waitForProxy(api, 'guarded', 'needs-sign-in');
    assert.match(waiting.error ?? '', /Click Sign In on its row/);
    const row = await waitFor('the row to offer Sign In', () => api.treeSnapshot().find((item) => item.label === 'guarded' && item.contextValue?.endsWith('.signIn')));
    assert.equal(row.icon, 'account');
    assert.match(row.description ?? '', /needs sign-in/);
    assert.match(api.statusBarSnapshot().text, /\$\(account\) 1/);
    assert.equal((await stats()).authorizations, 0, 'nothing signs in before the user asks');

    // VS Code opens the authorization URL in the browser; the authorization server approves at once and
    // redirects the browser to the switchboard's loopback callback.
    await vscode.commands.executeCommand(Command.signIn, 'guarded');
    await waitForProxy(api, 'guarded', 'connected');
    assert.equal((await stats()).authorizations, 1);

    await startInVsCodeMcp();
    const tool = await waitFor('guarded_whoami in vscode.lm.tools', () => lmTool('guarded_whoami'));
    assert.equal(textOf(await vscode.lm.invokeTool(tool.name, { input: {}, toolInvocationToken: undefined })), 'alice');
  });

  it('keeps the tokens out of every settings file', async () => {
    const { issued } = await stats();
    assert.ok(issued.length >= 2, 'tokens were issued');
    const texts = await settingsTexts();
    assert.ok(texts.some(({ text }) => text.includes('guarded')), 'the user settings that hold the proxy were read');
    for (const { file, text } of texts) {
      for (const token of issued) assert.ok(!text.includes(token), `${file} holds no token`);
    }
    const everywhere = JSON.stringify(vscode.workspace.getConfiguration('mcpSwitchboard'));
    for (const token of issued) assert.ok(!everywhere.includes(token), 'no token in the mcpSwitchboard settings');
    const stored = (await api.storedSignIn('guarded')) ?? '';
    assert.ok(issued.some((token) => stored.includes(token)), 'the tokens are in SecretStorage');
  });

  it('Sign Out deletes the tokens: the proxy needs sign-in again, and signs in again from its row', async () => {
    await vscode.commands.executeCommand(Command.signOut, 'guarded');
    await waitForProxy(api, 'guarded', 'needs-sign-in');
    assert.equal(await api.storedSignIn('guarded'), undefined, 'Sign Out deleted them from SecretStorage');
    await vscode.commands.executeCommand(Command.signIn, 'guarded');
    await waitForProxy(api, 'guarded', 'connected');
    assert.equal((await stats()).authorizations, 2);
  });
});
