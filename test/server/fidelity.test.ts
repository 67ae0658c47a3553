/**
 * 2025-11-25 fields pass through untouched: `icons`, `title` and `_meta` on
 * tools, prompts and resources are what a direct connection to the same
 * backend sees, renamed but otherwise identical. And the front says who it is.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { everythingStdio, misbehaving, type RunningSwitchboard, startSwitchboard, waitForTool } from './harness';

describe('fields of protocol 2025-11-25', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  let through: Client;
  let direct: Client;

  before(async () => {
    const entry = misbehaving();
    switchboard = await startSwitchboard({ m: entry });
    through = await switchboard.connect();
    await waitForTool(through, 'm_echo');
    direct = new Client({ name: 'direct', version: '1.0.0' });
    await direct.connect(new StdioClientTransport({ command: entry.command, args: entry.args, stderr: 'ignore' }));
  });
  after(async () => {
    await direct?.close();
    await switchboard?.stop();
  });

  it('passes icons, title and _meta of tools, prompts and resources through as a direct connection sees them', async () => {
    const directEcho = (await direct.listTools()).tools.find((tool) => tool.name === 'echo');
    assert.ok(directEcho?.icons && directEcho._meta && directEcho.title, 'the fixture has the fields');
    assert.deepEqual((await through.listTools()).tools.find((tool) => tool.name === 'm_echo'), { ...directEcho, name: 'm_echo' });
    const directPrompt = (await direct.listPrompts()).prompts.find((prompt) => prompt.name === 'hello');
    assert.ok(directPrompt?.icons);
    assert.deepEqual((await through.listPrompts()).prompts.find((prompt) => prompt.name === 'm_hello'), { ...directPrompt, name: 'm_hello' });
    const directResource = (await direct.listResources()).resources.find((resource) => resource.uri === 'fixture://info');
    assert.ok(directResource?.icons);
    assert.deepEqual((await through.listResources()).resources.find((resource) => resource.uri === 'fixture://info'), directResource);
  });

  it('introduces itself with its name, title, version and icon', () => {
    const info = through.getServerVersion();
    assert.equal(info?.name, 'switchboard');
    assert.equal(info?.title, 'Switchboard', 'VS Code makes its tool prefix from the title: it must stay mcp_switchboard_');
    assert.match(info?.version ?? '', /^\d+\.\d+\.\d+/);
    assert.match(info?.icons?.[0]?.src ?? '', /^data:image\/svg\+xml;base64,/);
    assert.match(Buffer.from((info?.icons?.[0]?.src ?? '').split(',')[1] ?? '', 'base64').toString('utf8'), /^<svg /);
  });
});

describe('URL-mode elicitation', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  after(async () => switchboard?.stop());

  it('reaches a client that declared it, unchanged, and its answer goes back', async () => {
    switchboard = await startSwitchboard({ everything: everythingStdio });
    const client = await switchboard.connect({ capabilities: { elicitation: { form: {}, url: {} } } });
    const asked: unknown[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params);
      return { action: 'accept' };
    });
    await waitForTool(client, 'everything_trigger-url-elicitation');
    const url = 'https://example.com/approve';
    const result = await client.callTool({ name: 'everything_trigger-url-elicitation', arguments: { url, message: 'Open it', elicitationId: 'e-1' } });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    assert.deepEqual(asked, [{ mode: 'url', url, message: 'Open it', elicitationId: 'e-1' }]);
  });
});
