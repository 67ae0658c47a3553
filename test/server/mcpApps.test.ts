/**
 * MCP Apps (`@modelcontextprotocol/ext-apps`) behind the switchboard, with a
 * real App server from npm (`@modelcontextprotocol/server-basic-vanillajs`):
 * its UI resource and `_meta.ui` pass through, its page's calls by the
 * tool's own name reach it behind a prefix, several candidates get an error
 * that names them, and an App-only tool is callable but listed only to hosts
 * that render Apps (which keep it from the model).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { misbehaving, ROOT, type RunningSwitchboard, startSwitchboard, text, waitForTool, writeRegistry } from './harness';

const APP_SERVER = { command: process.execPath, args: [join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-basic-vanillajs', 'dist', 'index.js'), '--stdio'] };
const APP_HOST = { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } };

describe('MCP Apps through the switchboard', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  let host: Client;

  before(async () => {
    switchboard = await startSwitchboard({ clock: APP_SERVER, m: misbehaving('--app-only-tool') });
    host = await switchboard.connect(APP_HOST as never);
    await waitForTool(host, 'clock_get-time');
  });
  after(async () => switchboard?.stop());

  it("passes the App's tool metadata and its ui:// page through", async () => {
    const tool = (await host.listTools()).tools.find((candidate) => candidate.name === 'clock_get-time');
    assert.deepEqual((tool?._meta as { ui?: unknown } | undefined)?.ui, { resourceUri: 'ui://get-time/mcp-app.html' });
    const page = await host.readResource({ uri: 'ui://get-time/mcp-app.html' });
    const content = page.contents[0] as { mimeType?: string; text?: string };
    assert.equal(content.mimeType, 'text/html;profile=mcp-app');
    assert.match(content.text ?? '', /<html/i);
  });

  it("routes a call by the tool's own name, as the App's page makes it, to the one proxy that has it", async () => {
    const result = await host.callTool({ name: 'get-time', arguments: {} });
    assert.notEqual(result.isError, true, text(result));
    assert.match(String((result.structuredContent as { time?: string } | undefined)?.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('lists an App-only tool to App hosts only, and lets either call it', async () => {
    const plain = await switchboard.connect();
    assert.ok(!(await plain.listTools()).tools.some((tool) => tool.name === 'm_app_refresh'), 'hidden from a client that is no App host');
    assert.ok((await host.listTools()).tools.some((tool) => tool.name === 'm_app_refresh'), 'listed to the host, which keeps it from the model');
    assert.equal(text(await plain.callTool({ name: 'm_app_refresh', arguments: {} })), 'refreshed');
    assert.equal(text(await host.callTool({ name: 'app_refresh', arguments: {} })), 'refreshed', 'by its own name too');
  });

  it('names the candidates when several proxies have a tool of that name', async () => {
    writeRegistry(switchboard.configPath, { clock: APP_SERVER, m: misbehaving('--app-only-tool'), clock2: APP_SERVER });
    await waitForTool(host, 'clock2_get-time');
    await assert.rejects(
      host.callTool({ name: 'get-time', arguments: {} }),
      /Tool "get-time" is offered by several proxies: clock_get-time \(clock\), clock2_get-time \(clock2\)\. Call it by one of those names\./,
    );
  });
});
