/**
 * Protocol fidelity through the real switchboard process, with the reference
 * server (server-everything) behind it over stdio: each forwarded feature is
 * exercised with the SDK client and its answer checked.
 */
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type LoggingMessageNotification,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { EVERYTHING, everythingStdio, eventually, type RunningSwitchboard, startSwitchboard, text, waitForTool } from './harness';

const REVERSE_CAPABILITIES = { capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } };


describe('forwarding to server-everything over stdio', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  let client: Client;
  let direct: SdkClient;

  before(async () => {
    process.env.LEAK_CANARY = 'must-not-reach-backends';
    switchboard = await startSwitchboard({ everything: everythingStdio });
    delete process.env.LEAK_CANARY;
    client = await switchboard.connect(REVERSE_CAPABILITIES);
    setReverseHandlers(client);
    await waitForTool(client, 'everything_echo');
    direct = new SdkClient({ name: 'direct', version: '1.0.0' }, REVERSE_CAPABILITIES);
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }));
  });

  after(async () => {
    await direct?.close();
    await switchboard?.stop();
  });

  it('lists the proxy tools as <proxy>_<tool>, identical but for the name, after its own tools', async () => {
    const front = (await client.listTools()).tools;
    const names = front.map((tool) => tool.name);
    assert.deepEqual(names.slice(0, 3), ['add_proxy', 'list_proxies', 'remove_proxy']);
    const backend = (await direct.listTools()).tools;
    assert.ok(backend.length > 10);
    for (const tool of backend) {
      const renamed = front.find((candidate) => candidate.name === `everything_${tool.name}`);
      // This client declared no tasks: a tool it could never call is not listed to it (tasks.test.ts).
      if ((tool.execution as { taskSupport?: string } | undefined)?.taskSupport === 'required') assert.equal(renamed, undefined);
      else assert.deepEqual(renamed, { ...tool, name: `everything_${tool.name}` });
    }
  });

  it('calls a proxied tool with the original name and passes the result through', async () => {
    const echo = await client.callTool({ name: 'everything_echo', arguments: { message: 'hello' } });
    assert.deepEqual(echo.content, [{ type: 'text', text: 'Echo: hello' }]);
    const sum = await client.callTool({ name: 'everything_get-sum', arguments: { a: 2, b: 40 } });
    assert.match(text(sum), /42/);
  });

  it('passes structured content and tool errors through untouched', async () => {
    const structured = await client.callTool({ name: 'everything_get-structured-content', arguments: { location: 'New York' } });
    const expected = await direct.callTool({ name: 'get-structured-content', arguments: { location: 'New York' } });
    assert.deepEqual(structured.structuredContent, expected.structuredContent);
    const invalid = await client.callTool({ name: 'everything_get-sum', arguments: { a: 'not a number' } });
    const invalidDirect = await direct.callTool({ name: 'get-sum', arguments: { a: 'not a number' } });
    assert.equal(invalid.isError, true);
    assert.deepEqual(invalid, invalidDirect);
  });

  it('refuses an unknown tool with a message that says what to do', async () => {
    await assert.rejects(client.callTool({ name: 'everything_nope', arguments: {} }), /Unknown tool "everything_nope".*list_proxies/);
  });

  it('lists prompts as <proxy>_<prompt> and gets them by that name', async () => {
    const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
    assert.ok(prompts.includes('everything_args-prompt'), prompts.join());
    assert.ok(prompts.includes('everything_simple-prompt'));
    const prompt = await client.getPrompt({ name: 'everything_args-prompt', arguments: { city: 'Paris', state: 'Texas' } });
    assert.equal((prompt.messages[0]?.content as { text: string }).text, "What's weather in Paris, Texas?");
  });

  it('keeps resource URIs, reads them, and resolves templates', async () => {
    const resources = (await client.listResources()).resources;
    const directResources = (await direct.listResources()).resources;
    assert.deepEqual(
      resources.map((resource) => resource.uri),
      directResources.map((resource) => resource.uri),
    );
    const first = resources.find((resource) => resource.uri.startsWith('demo://'));
    assert.ok(first);
    const read = await client.readResource({ uri: first.uri });
    assert.equal(read.contents[0]?.uri, first.uri);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate);
    assert.ok(templates.includes('demo://resource/dynamic/text/{resourceId}'), templates.join());
    const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/7' });
    assert.equal(dynamic.contents[0]?.uri, 'demo://resource/dynamic/text/7');
    await assert.rejects(client.readResource({ uri: 'nowhere://x' }), /Unknown resource "nowhere:\/\/x"/);
  });

  it('forwards completions for prompts and resource templates', async () => {
    const prompt = await client.complete({
      ref: { type: 'ref/prompt', name: 'everything_completable-prompt' },
      argument: { name: 'department', value: 'E' },
    });
    assert.deepEqual(prompt.completion.values, ['Engineering']);
    const template = await client.complete({
      ref: { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' },
      argument: { name: 'resourceId', value: '3' },
    });
    assert.deepEqual(template.completion.values, ['3']);
  });

  it('forwards progress with the client’s own token', async () => {
    const updates: Progress[] = [];
    const result = await client.callTool(
      { name: 'everything_trigger-long-running-operation', arguments: { duration: 0.4, steps: 4 } },
      undefined,
      { onprogress: (progress) => updates.push(progress) },
    );
    assert.match(text(result), /completed/);
    // The SDK client settles an answer at once but handles notifications a microtask later, so when the
    // last progress and the answer arrive in one read it drops that progress; it does so talking to the
    // backend directly too. Every other update must arrive, in order, under the client's token.
    const expected = [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ];
    const received = updates.map((update) => [update.progress, update.total]);
    assert.ok(received.length >= 3, `got ${JSON.stringify(received)}`);
    assert.deepEqual(received, expected.slice(0, received.length));
  });

  it('cancels the backend call when the client cancels, and stays usable', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const call = client.callTool({ name: 'everything_trigger-long-running-operation', arguments: { duration: 10, steps: 2 } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(call, /abort/i);
    assert.ok(Date.now() - started < 2_000);
    const echo = await client.callTool({ name: 'everything_echo', arguments: { message: 'after' } });
    assert.equal(text(echo), 'Echo: after');
  });

  it('routes sampling, elicitation and roots requests to the calling client', async () => {
    const sampled = await client.callTool({ name: 'everything_trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } });
    assert.match(text(sampled), /sampled by the test client/);
    const elicited = await client.callTool({ name: 'everything_trigger-elicitation-request', arguments: {} });
    assert.match(text(elicited), /Ada Lovelace/);
    const roots = await client.callTool({ name: 'everything_get-roots-list', arguments: {} });
    assert.match(text(roots), /file:\/\/\/test-root/);
  });

  it('forwards log messages with the proxy as logger, at the level the client set', async () => {
    const messages: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void messages.push(notification.params));
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'everything_toggle-simulated-logging', arguments: {} });
    try {
      const message = await eventually('a log message', () => messages[0], 12_000);
      assert.match(String(message.logger), /^everything/);
    } finally {
      await client.callTool({ name: 'everything_toggle-simulated-logging', arguments: {} });
    }
  });

  it('forwards resource subscriptions and their updates', async () => {
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri));
    const uri = 'demo://resource/dynamic/text/1';
    await client.subscribeResource({ uri });
    await client.callTool({ name: 'everything_toggle-subscriber-updates', arguments: {} });
    try {
      await eventually('a resources/updated notification', () => updated.find((candidate) => candidate === uri), 12_000);
    } finally {
      await client.callTool({ name: 'everything_toggle-subscriber-updates', arguments: {} });
      await client.unsubscribeResource({ uri });
    }
  });

  it('gives a stdio backend neither the switchboard’s environment nor its token', async () => {
    const env = text(await client.callTool({ name: 'everything_get-env', arguments: {} }));
    assert.match(env, /PATH/);
    assert.doesNotMatch(env, /must-not-reach-backends/);
    assert.ok(switchboard.token && !env.includes(switchboard.token));
  });
});

function setReverseHandlers(client: Client): void {
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    model: 'test-model',
    role: 'assistant',
    content: { type: 'text', text: 'sampled by the test client' },
  }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { name: 'Ada Lovelace', check: true },
  }));
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///test-root', name: 'Test root' }] }));
}

describe('several clients at once', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  before(async () => (switchboard = await startSwitchboard({ everything: everythingStdio })));
  after(async () => switchboard?.stop());

  async function clientAnswering(answer: string): Promise<{ client: Client; asked: () => number }> {
    let asked = 0;
    const client = await switchboard.connect({ capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => {
      asked++;
      return { model: 'm', role: 'assistant', content: { type: 'text', text: answer } };
    });
    await waitForTool(client, 'everything_trigger-sampling-request');
    return { client, asked: () => asked };
  }

  it('sends each client’s sampling request to that client only', async () => {
    const alice = await clientAnswering('from alice');
    const bob = await clientAnswering('from bob');
    assert.match(text(await alice.client.callTool({ name: 'everything_trigger-sampling-request', arguments: { prompt: 'a' } })), /from alice/);
    assert.match(text(await bob.client.callTool({ name: 'everything_trigger-sampling-request', arguments: { prompt: 'b' } })), /from bob/);
    assert.equal(alice.asked(), 1);
    assert.equal(bob.asked(), 1);
  });

  it('refuses, rather than guesses, when calls of two clients are in flight on the backend', async () => {
    const alice = await clientAnswering('from alice');
    const bob = await clientAnswering('from bob');
    const long = alice.client.callTool({ name: 'everything_trigger-long-running-operation', arguments: { duration: 1.5, steps: 3 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await bob.client.callTool({ name: 'everything_trigger-sampling-request', arguments: { prompt: 'b' } }).then(
      (result) => text(result),
      (error: unknown) => String(error),
    );
    assert.match(refused, /cannot tell which of several clients/);
    await long;
    assert.equal(alice.asked(), 0);
    assert.equal(bob.asked(), 0);
  });
});
