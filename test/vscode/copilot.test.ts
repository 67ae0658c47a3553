import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import {
  activateExtension,
  everything,
  lmTool,
  resetSettings,
  startInVsCodeMcp,
  textOf,
  useDefaultSwitchboard,
  useOwnSwitchboard,
  waitFor,
  waitForProxy,
  writeProxies,
} from './support';

describe("Copilot's path: VS Code's MCP client finds the switchboard through the provider", function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;

  before(async () => {
    api = await activateExtension();
    await resetSettings();
  });
  after(resetSettings);

  it('provides the switchboard as an MCP server: VS Code starts it and lists its management tools', async () => {
    await startInVsCodeMcp();
    await waitFor('list_proxies in vscode.lm.tools', () => lmTool('list_proxies'));
    assert.ok(lmTool('add_proxy') && lmTool('remove_proxy'), 'the management tools are there');
    assert.match(lmTool('list_proxies')?.name ?? '', /^mcp_switchboard_list_proxies$/, 'VS Code prefixes tools with the server name');
    assert.equal(api.phase().kind, 'running');
  });

  it('lists and calls a proxied tool mounted after VS Code connected, without reconnecting', async () => {
    const processBefore = api.serverProcessId();
    await writeProxies('user', { everything });
    await waitForProxy(api, 'everything', 'connected');
    const echo = await waitFor('everything_echo in vscode.lm.tools (via list_changed)', () => lmTool('everything_echo'));
    const result = await vscode.lm.invokeTool(echo.name, { input: { message: 'through the switchboard' }, toolInvocationToken: undefined });
    assert.match(textOf(result), /through the switchboard/);
    assert.equal(api.serverProcessId(), processBefore, 'the same server process served it');
  });

  it('answers list_proxies with the mounted proxy and its state', async () => {
    const listTool = await waitFor('list_proxies', () => lmTool('list_proxies'));
    const text = textOf(await vscode.lm.invokeTool(listTool.name, { input: {}, toolInvocationToken: undefined }));
    // VS Code hands the model the structured content when a tool declares an output schema, else the text.
    const listed = text.startsWith('{') ? (JSON.parse(text) as { proxies: { name: string; state: string; transport: string }[] }).proxies : undefined;
    if (listed) assert.deepEqual(listed.map(({ name, state, transport }) => ({ name, state, transport })), [{ name: 'everything', state: 'connected', transport: 'stdio' }]);
    else assert.match(text, /everything: connected, stdio/);
  });

  it("Restart Server of the window's own switchboard keeps the URL and leaves VS Code's MCP client connected to the new server", async () => {
    await useOwnSwitchboard(api);
    await waitForProxy(api, 'everything', 'connected');
    const before = api.phase();
    assert.equal(before.kind, 'running');
    const processBefore = api.serverProcessId();
    await vscode.commands.executeCommand('mcpSwitchboard.restartServer');
    const after = await waitFor('the new server running', () => (api.phase().kind === 'running' && api.serverProcessId() !== processBefore ? api.phase() : undefined));
    assert.equal(after.kind === 'running' && after.url, before.kind === 'running' && before.url, 'the same URL, so the definition VS Code holds stays right');
    // VS Code's client answers through the new server: list_proxies is called and answers.
    const text = await waitFor('list_proxies to answer through the new server', async () => {
      const tool = lmTool('list_proxies');
      if (!tool) return undefined;
      try {
        return textOf(await vscode.lm.invokeTool(tool.name, { input: {}, toolInvocationToken: undefined }));
      } catch {
        return undefined;
      }
    });
    assert.match(text, /everything|proxies/);
    await useDefaultSwitchboard(api);
  });

  it('drops the tools of a proxy removed from settings', async () => {
    await writeProxies('user', undefined);
    await waitFor('everything_echo to leave vscode.lm.tools', () => !lmTool('everything_echo'));
  });
});
