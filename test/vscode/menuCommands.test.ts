import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { Command, ConfigKey, EXTENSION_ID, PROXIES_VIEW_ID } from '../../src/extension/constants';
import type { ProxyTreeNode } from '../../src/extension/views/proxyTree';
import { RESOURCE_SCHEME } from '../../src/extension/views/resourceDocuments';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import type { UserQuestion } from '../../src/extension/server/userQuestions';
import {
  activateAndStartServer,
  EVERYTHING,
  everything,
  pick,
  proxiesIn,
  QuickInputRecorder,
  resetSettings,
  setSetting,
  sleep,
  waitFor,
  waitForProxy,
  writeProxies,
} from './support';

interface MenuItem {
  readonly command: string;
  readonly when?: string;
}

/** server-everything serves its own documentation files as its static resources. */
const DOCS = join(dirname(EVERYTHING), 'docs');

/**
 * VS Code hands a command different arguments depending on where it is run:
 * nothing from the palette, the focused tree node from the view's title bar
 * (whichever row has focus, a proxy, a group or a tool), the clicked node and
 * the selection from an item's menu. Each command bound to a menu is run here
 * with what that menu passes, and must do what it does from the palette.
 */
describe('Commands in the Proxies view\'s menus, with the arguments VS Code passes them', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;
  let inputs: QuickInputRecorder;
  let menus: Record<string, MenuItem[]>;

  const proxyNode: ProxyTreeNode = { kind: 'proxy', name: 'menus' };
  const inView = (items: readonly MenuItem[] | undefined) =>
    [...new Set((items ?? []).filter((item) => item.when?.includes(`view == ${PROXIES_VIEW_ID}`)).map((item) => item.command))].sort();

  /** The nodes a title-bar command may receive: nothing focused (as the palette), a proxy, a group, a tool. */
  const focusedNodes = (): (ProxyTreeNode | undefined)[] => {
    const tool = api.statuses().find((status) => status.name === 'menus')?.tools[0];
    assert.ok(tool, 'the proxy lists tools');
    return [undefined, proxyNode, { kind: 'group', proxy: 'menus', group: 'tools' }, { kind: 'tool', proxy: 'menus', tool }];
  };

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    await writeProxies('user', { menus: everything });
    await waitForProxy(api, 'menus', 'connected');
    menus = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { menus: Record<string, MenuItem[]> } }).contributes.menus;
  });
  beforeEach(() => {
    inputs = new QuickInputRecorder(api);
  });
  afterEach(async () => {
    inputs.dispose();
    api.answerQuestions(undefined);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(resetSettings);

  it('runs every title-bar command with whatever row has focus, as from the palette', async () => {
    /** What each title-bar command that asks something shows first. */
    const asks: Record<string, (input: vscode.QuickInput) => void> = {
      [Command.addProxy]: (input) => {
        assert.equal(input.title, 'Add Proxy');
        assert.equal(input.step, 1);
      },
      [Command.copyConnectionConfig]: (input) => {
        assert.equal(input.title, 'Copy Connection Config');
        assert.deepEqual(
          (input as vscode.QuickPick<vscode.QuickPickItem>).items.map((item) => item.label),
          [
            'Your shared switchboard: your user settings’ proxies, across restarts',
            'Claude Desktop',
            'Claude Code',
            'Cursor',
            'VS Code (.vscode/mcp.json)',
            'This window: its user and workspace proxies, while it is open',
            'Claude Code, this window',
            'Cursor, this window',
            'VS Code (.vscode/mcp.json), this window',
          ],
        );
      },
      [Command.setSecret]: (input) => assert.equal(input.title, 'Set Secret'),
      [Command.importServers]: (input) => assert.match(input.title ?? '', /^Import Servers/),
    };
    /** The ones that ask nothing; they must leave the server running. */
    const quiet = [Command.refresh, Command.restartServer, Command.showLogs];
    assert.deepEqual(inView(menus['view/title']), [...Object.keys(asks), ...quiet].sort(), 'every title-bar command is checked here');

    for (const [command, check] of Object.entries(asks)) {
      for (const node of focusedNodes()) {
        const done = vscode.commands.executeCommand(command, node);
        check(await inputs.next());
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        await done;
      }
    }
    for (const command of quiet) {
      await vscode.commands.executeCommand(command, proxyNode);
      await api.whenServerReady();
    }
    await waitForProxy(api, 'menus', 'connected');
  });

  it('runs every item command of a proxy row and a profile row with the clicked node and the selection', async () => {
    const selection = [proxyNode];
    const covered = new Set<string>();
    const run = async (command: string) => {
      covered.add(command);
      await vscode.commands.executeCommand(command, proxyNode, selection);
    };

    await run(Command.disableProxy);
    assert.deepEqual(proxiesIn('user').menus, { ...everything, enabled: false });
    await waitForProxy(api, 'menus', 'disabled');
    await run(Command.enableProxy);
    assert.deepEqual(proxiesIn('user').menus, everything);
    const connected = await waitForProxy(api, 'menus', 'connected');

    await run(Command.restartProxy);
    await waitFor('"menus" to reconnect after Restart', () =>
      api.statuses().find((status) => status.name === 'menus' && status.state === 'connected' && status.since !== connected.since),
    );

    // A command proxy does not sign in: Sign In and Sign Out leave it connected, not restarted.
    const beforeSignIn = (await waitForProxy(api, 'menus', 'connected')).since;
    await run(Command.signIn);
    await run(Command.signOut);
    await sleep(300);
    assert.equal(api.statuses().find((status) => status.name === 'menus')?.since, beforeSignIn);

    await run(Command.editProxyInSettings);
    const editor = await waitFor('the settings file to open', () => vscode.window.activeTextEditor);
    assert.match(editor.document.uri.path, /settings\.json$/);
    assert.equal(editor.document.getText().slice(editor.document.offsetAt(editor.selection.active) - 1).slice(0, 7), '"menus"');

    const questions: UserQuestion[] = [];
    api.answerQuestions((question) => {
      questions.push(question);
      return false;
    });
    await run(Command.removeProxy);
    assert.deepEqual(questions.map((question) => question.message), ['Remove the proxy "menus"?']);
    assert.deepEqual(proxiesIn('user').menus, everything, 'answering no keeps it');

    // A profile row's Copy Connection Config copies that profile's config, asking only the client.
    await setSetting(ConfigKey.profiles, { small: { include: ['menus_echo'] } });
    const profileNode: ProxyTreeNode = { kind: 'profile', profile: 'small' };
    await waitFor('the profile in the tree', () => api.treeSnapshot().some((item) => item.label === 'Profiles'));
    covered.add(Command.copyConnectionConfig);
    const copying = vscode.commands.executeCommand(Command.copyConnectionConfig, profileNode, [profileNode]);
    const clients = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
    assert.equal(clients.title, 'Copy Connection Config: profile "small"');
    await pick(clients, 'Cursor, this window');
    await copying;
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as { mcpServers: Record<string, { url: string }> };
    assert.equal(copied.mcpServers['switchboard-small']?.url, `${await api.whenServerReady()}/small`);
    await setSetting(ConfigKey.profiles, undefined);

    assert.deepEqual([...covered].sort(), inView(menus['view/item/context']), 'every item command is checked here');
  });

  it('opens a resource row in a read-only editor with what the switchboard reads for it', async () => {
    const status = await waitForProxy(api, 'menus', 'connected');
    const resource = status.resources.find((candidate) => candidate.uri.endsWith('/architecture.md'));
    assert.ok(resource, `the proxy lists architecture.md among ${status.resources.map((candidate) => candidate.uri).join(', ')}`);
    const row = api.treeSnapshot().find((item) => item.label === 'menus')?.children.find((group) => group.label === 'Resources')?.children.find((item) => item.description === resource.uri);
    assert.equal(row?.command, Command.openResource, 'a click on the row opens it');

    // What a click passes: the row's node.
    await vscode.commands.executeCommand(Command.openResource, { kind: 'resource', proxy: 'menus', resource });
    const editor = await waitFor('the resource editor', () => vscode.window.activeTextEditor?.document.uri.scheme === RESOURCE_SCHEME && vscode.window.activeTextEditor);
    assert.equal(editor.document.getText(), readFileSync(join(DOCS, 'architecture.md'), 'utf8'));
    assert.equal(editor.document.languageId, 'markdown');
    assert.match(editor.document.uri.path, /\/menus\/architecture\.md$/);

    // From the palette: a picker of the resources the proxies list.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const done = vscode.commands.executeCommand(Command.openResource);
    const picker = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
    assert.equal(picker.title, 'Open Resource');
    await pick(picker, 'features.md');
    await done;
    const opened = await waitFor('the picked resource', () => vscode.window.activeTextEditor?.document.uri.path.endsWith('/features.md') && vscode.window.activeTextEditor);
    assert.equal(opened.document.getText(), readFileSync(join(DOCS, 'features.md'), 'utf8'));
  });
});
