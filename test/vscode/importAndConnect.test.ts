import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import type { UserQuestion } from '../../src/extension/server/userQuestions';
import { activateExtension, EVERYTHING, NODE, pick, proxiesIn, QuickInputRecorder, resetSettings, accept, sleep, waitForProxy, writeProxies } from './support';

describe('Import Servers… and Copy Connection Config…', function () {
  this.timeout(90_000);
  let api: SwitchboardTestApi;
  let mcpJson: vscode.Uri;

  before(async () => {
    api = await activateExtension();
    await resetSettings();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test bed opens a folder');
    mcpJson = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  });
  after(async () => {
    api.answerQuestions(undefined);
    await vscode.workspace.fs.delete(mcpJson).then(undefined, () => undefined);
    await resetSettings();
  });

  /** The questions the extension asks from now on, each answered with `answer`. */
  function answerEvery(answer: boolean): UserQuestion[] {
    const asked: UserQuestion[] = [];
    api.answerQuestions((question) => {
      asked.push(question);
      return answer;
    });
    return asked;
  }

  async function writeMcpJson(text: string): Promise<void> {
    await vscode.workspace.fs.writeFile(mcpJson, new TextEncoder().encode(text));
  }

  async function readMcpJson(): Promise<string> {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(mcpJson));
  }

  /** Runs Import Servers… on the workspace's mcp.json; `choose` sees the servers step and may change the ticks before Enter. */
  async function importFromMcpJson(scope: 'User settings' | 'Workspace settings', choose?: (servers: vscode.QuickPick<vscode.QuickPickItem>) => void): Promise<void> {
    const inputs = new QuickInputRecorder(api);
    try {
      const done = vscode.commands.executeCommand(Command.importServers);
      await pick(await inputs.next(), 'Workspace mcp.json');
      const servers = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
      if (choose) {
        choose(servers);
        await sleep(50); // The new ticks reach the workbench before Enter does.
      }
      await accept();
      await pick(await inputs.next(), scope);
      await done;
    } finally {
      inputs.dispose();
    }
  }

  it("imports the workspace's .vscode/mcp.json into user settings, adapting names the switchboard does not allow", async () => {
    const text = `{
      // VS Code's own MCP config: comments and trailing commas are allowed here.
      "servers": {
        "Everything Server": { "type": "stdio", "command": ${JSON.stringify(NODE)}, "args": [${JSON.stringify(EVERYTHING)}, "stdio"], },
        "remote": { "type": "http", "url": "http://127.0.0.1:9/mcp" },
      },
    }`;
    await vscode.workspace.fs.writeFile(mcpJson, new TextEncoder().encode(text));
    const asked = answerEvery(false);
    const inputs = new QuickInputRecorder(api);
    try {
      const done = vscode.commands.executeCommand(Command.importServers);
      await pick(await inputs.next(), 'Workspace mcp.json');
      const servers = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
      assert.deepEqual(servers.items.map((item) => item.label), ['Everything-Server', 'remote']);
      assert.equal(servers.selectedItems.length, 2, 'all are picked to start with');
      await accept();
      await pick(await inputs.next(), 'User settings');
      await done;
    } finally {
      inputs.dispose();
    }
    assert.deepEqual(proxiesIn('user')['Everything-Server'], { command: NODE, args: [EVERYTHING, 'stdio'], transport: 'stdio' });
    assert.deepEqual(proxiesIn('user').remote, { url: 'http://127.0.0.1:9/mcp', transport: 'http' });
    await waitForProxy(api, 'Everything-Server', 'connected');

    // VS Code would run both itself as well: the import offers to take them out of mcp.json, by their names there.
    assert.equal(asked.length, 1, 'one question after the import');
    assert.match(asked[0]?.message ?? '', /^Imported 2 servers into user settings\. Remove these 2 servers from \.vscode\/mcp\.json\?$/);
    assert.match(asked[0]?.detail ?? '', /"Everything Server", "remote" would run twice/);
    assert.equal(asked[0]?.modal, true);
    assert.equal(await readMcpJson(), text, 'answered no: mcp.json is as it was');
  });

  it('says when an imported server is one an existing proxy already runs (same URL, or same command and arguments), and skips it unless ticked', async () => {
    await resetSettings();
    await writeProxies('user', {
      web: { url: 'http://127.0.0.1:9/mcp/' },
      runner: { command: NODE, args: [EVERYTHING, 'stdio'], enabled: false },
    });
    await writeMcpJson(`{
      "servers": {
        "remote": { "type": "http", "url": "http://127.0.0.1:9/mcp" },
        "tool-runner": { "command": ${JSON.stringify(NODE)}, "args": [${JSON.stringify(EVERYTHING)}, "stdio"] },
        "fresh": { "type": "http", "url": "http://127.0.0.1:9/other" }
      }
    }`);
    const asked = answerEvery(false);
    let descriptions: Record<string, string | undefined> = {};
    let ticked: string[] = [];
    await importFromMcpJson('User settings', (servers) => {
      descriptions = Object.fromEntries(servers.items.map((item) => [item.label, item.description]));
      ticked = servers.selectedItems.map((item) => item.label);
      assert.match(servers.placeholder ?? '', /those a proxy already runs are unticked/);
    });
    assert.match(descriptions.remote ?? '', /the same URL as proxy "web": unticked, so it is skipped/);
    assert.match(descriptions['tool-runner'] ?? '', /the same command and arguments as proxy "runner": unticked, so it is skipped/);
    assert.equal(descriptions.fresh, '');
    assert.deepEqual(ticked, ['fresh'], 'only the server no proxy runs is ticked');

    assert.deepEqual(Object.keys(proxiesIn('user')).sort(), ['fresh', 'runner', 'web']);
    // The question names the skipped server and offers to remove it too (the switchboard runs it as "web"),
    // but not "tool-runner": its proxy is disabled, so only VS Code runs it.
    assert.equal(asked.length, 1);
    assert.match(asked[0]?.message ?? '', /Skipped "remote" \(the same URL as proxy "web"\), "tool-runner" \(the same command and arguments as proxy "runner"\): the switchboard already runs them\./);
    assert.match(asked[0]?.detail ?? '', /"remote", "fresh" would run twice/);
  });

  it('removes the imported servers from mcp.json when asked, keeping its comments, inputs and other servers', async () => {
    await resetSettings();
    const text = [
      '{',
      '  // Servers VS Code runs itself.',
      '  "inputs": [{ "type": "promptString", "id": "token", "password": true }],',
      '  "servers": {',
      '    "first": { "type": "http", "url": "http://127.0.0.1:9/first" }, // the first',
      '    /* kept: not imported */',
      '    "kept": { "type": "http", "url": "http://127.0.0.1:9/kept" },',
      '    "last": { "type": "http", "url": "http://127.0.0.1:9/last" },',
      '  },',
      '}',
      '',
    ].join('\n');
    await writeMcpJson(text);
    const asked = answerEvery(true);
    await importFromMcpJson('Workspace settings', (servers) => {
      servers.selectedItems = servers.items.filter((item) => item.label !== 'kept');
    });
    assert.deepEqual(Object.keys(proxiesIn('workspace')).sort(), ['first', 'last']);
    assert.equal(asked.length, 1);
    const after = await readMcpJson();
    assert.doesNotMatch(after, /"first"|"last"/, after);
    for (const kept of ['// Servers VS Code runs itself.', '"inputs": [{ "type": "promptString", "id": "token", "password": true }],', '/* kept: not imported */', '"kept": { "type": "http", "url": "http://127.0.0.1:9/kept" }']) {
      assert.ok(after.includes(kept), `mcp.json keeps ${kept}:\n${after}`);
    }
  });

  it('copies a VS Code mcp.json entry for this window whose URL and token reach the running switchboard', async () => {
    await vscode.commands.executeCommand(Command.copyConnectionConfig, 'vscodeWindow');
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as {
      servers: { switchboard: { type: string; url: string; headers: { Authorization: string } } };
    };
    const entry = copied.servers.switchboard;
    assert.equal(entry.type, 'http');
    assert.equal(entry.url, await api.whenServerReady());

    const initialize = (headers: Record<string, string>) =>
      fetch(entry.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'copied-config', version: '1' } },
        }),
      });
    assert.equal((await initialize({ Authorization: entry.headers.Authorization })).status, 200);
    assert.equal((await initialize({})).status, 401, 'the token is required');
  });
});
