import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import { activateExtension, EVERYTHING, NODE, pick, proxiesIn, QuickInputRecorder, resetSettings, accept, waitForProxy } from './support';

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
    await vscode.workspace.fs.delete(mcpJson).then(undefined, () => undefined);
    await resetSettings();
  });

  it("imports the workspace's .vscode/mcp.json into user settings, adapting names the switchboard does not allow", async () => {
    const text = `{
      // VS Code's own MCP config: comments and trailing commas are allowed here.
      "servers": {
        "Everything Server": { "type": "stdio", "command": ${JSON.stringify(NODE)}, "args": [${JSON.stringify(EVERYTHING)}, "stdio"], },
        "remote": { "type": "http", "url": "http://127.0.0.1:9/mcp" },
      },
    }`;
    await vscode.workspace.fs.writeFile(mcpJson, new TextEncoder().encode(text));
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
  });

  it('copies a VS Code mcp.json entry whose URL and token reach the running switchboard', async () => {
    await vscode.commands.executeCommand(Command.copyConnectionConfig, 'vscode');
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
