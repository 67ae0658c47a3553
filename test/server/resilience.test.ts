/**
 * Backends that crash, hang, print garbage, change their tools, never start,
 * or do not exist: the switchboard stays up, says what is wrong, and recovers.
 * The misbehaving fixture (test/fixtures/misbehaving-server.ts) does each on purpose.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  eventually,
  everythingStdio,
  listProxies,
  MISBEHAVING,
  misbehaving,
  processesWith,
  type ProxySummary,
  type RunningSwitchboard,
  startStdioSwitchboard,
  startSwitchboard,
  stopProcess,
  text,
  waitForTool,
} from './harness';




async function proxy(client: Client, name: string): Promise<ProxySummary | undefined> {
  return (await listProxies(client)).find((candidate) => candidate.name === name);
}

describe('misbehaving backends', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  let client: Client;
  afterEach(async () => switchboard?.stop());

  it('survives a backend that crashes mid-call, names it in the error, and reconnects', async () => {
    switchboard = await startSwitchboard({ m: misbehaving() });
    client = await switchboard.connect();
    await waitForTool(client, 'm_crash');
    await assert.rejects(client.callTool({ name: 'm_crash', arguments: {} }), /m: /);
    const down = await eventually('the error state', async () => {
      const state = await proxy(client, 'm');
      return state?.state === 'error' ? state : undefined;
    });
    assert.match(down.error ?? '', /exited.*Retrying/);
    await assert.rejects(client.callTool({ name: 'm_echo', arguments: { text: 'x' } }), /Proxy "m" is (error|connecting)/);
    await waitForTool(client, 'm_echo');
    assert.equal(text(await client.callTool({ name: 'm_echo', arguments: { text: 'back' } })), 'back');
  });

  it('times out a hanging call with an error that names the proxy, and stays usable', async () => {
    switchboard = await startSwitchboard({ m: { ...misbehaving(), timeoutMs: 500 } });
    client = await switchboard.connect();
    await waitForTool(client, 'm_hang');
    const started = Date.now();
    await assert.rejects(client.callTool({ name: 'm_hang', arguments: {} }), /m: the proxy did not answer in time/);
    assert.ok(Date.now() - started < 3_000);
    assert.equal(text(await client.callTool({ name: 'm_echo', arguments: { text: 'ok' } })), 'ok');
  });

  it('skips garbage a backend prints on stdout, and logs it', async () => {
    switchboard = await startSwitchboard({ m: misbehaving('--garbage') });
    client = await switchboard.connect();
    await waitForTool(client, 'm_echo');
    assert.equal(text(await client.callTool({ name: 'm_echo', arguments: { text: 'clean' } })), 'clean');
    assert.match(switchboard.stderr(), /m: printed a non-MCP line on stdout \(ignored\)/);
  });

  it('follows a backend whose tool list changes at runtime, and tells the client', async () => {
    switchboard = await startSwitchboard({ m: misbehaving() });
    client = await switchboard.connect();
    await waitForTool(client, 'm_add_tool');
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    await client.callTool({ name: 'm_add_tool', arguments: { name: 'fresh' } });
    await waitForTool(client, 'm_fresh');
    await eventually('a tools/list_changed notification', () => changes >= 1 || undefined);
    await client.callTool({ name: 'm_remove_tool', arguments: { name: 'fresh' } });
    await eventually('m_fresh to go', async () => !(await client.listTools()).tools.some((tool) => tool.name === 'm_fresh') || undefined);
  });

  it('answers the first tools/list within the grace while a backend never starts, with the healthy one in it', async () => {
    switchboard = await startSwitchboard({ dead: misbehaving('--never-initialize'), ev: everythingStdio }, ['--first-list-grace', '1500']);
    const started = Date.now();
    client = await switchboard.connect();
    const first = await client.listTools();
    const took = Date.now() - started;
    assert.ok(took < 1_500 + 500, `took ${took} ms`);
    assert.ok(first.tools.some((tool) => tool.name === 'ev_echo'), 'the first list has the backend that came up in time');
    // Later lists never wait.
    const again = Date.now();
    await client.listTools();
    assert.ok(Date.now() - again < 300, `a later list took ${Date.now() - again} ms`);
    assert.equal((await proxy(client, 'dead'))?.state, 'connecting');
  });

  it('gives a client that lists once, right after connecting over stdio, every proxy that starts in time', async () => {
    const stdio = await startStdioSwitchboard({ ev: everythingStdio, m: misbehaving() });
    try {
      const [tools, resources, prompts] = [await stdio.client.listTools(), await stdio.client.listResources(), await stdio.client.listPrompts()];
      assert.ok(tools.tools.some((tool) => tool.name === 'ev_echo') && tools.tools.some((tool) => tool.name === 'm_echo'), tools.tools.map((tool) => tool.name).join());
      assert.ok(resources.resources.some((resource) => resource.uri === 'fixture://info'));
      assert.ok(prompts.prompts.some((prompt) => prompt.name === 'm_hello'));
    } finally {
      await stdio.stop();
    }
  });

  it('reports a command that does not exist, and an unreachable URL, as errors that say what to check', async () => {
    switchboard = await startSwitchboard({
      ghost: { command: 'definitely-not-a-command-4711' },
      gone: { url: 'http://127.0.0.1:9/mcp' },
      nocwd: { command: process.execPath, cwd: '/no/such/folder' },
    });
    client = await switchboard.connect();
    const states = await eventually('all three in error', async () => {
      const list = await listProxies(client);
      return list.length === 3 && list.every((item) => item.state === 'error') ? list : undefined;
    });
    const byName = Object.fromEntries(states.map((item) => [item.name, item.error ?? '']));
    assert.match(byName.ghost ?? '', /Cannot run "definitely-not-a-command-4711": no such command. Check it is installed and on PATH/);
    assert.match(byName.gone ?? '', /fetch failed|ECONNREFUSED|connect/i);
    assert.match(byName.nocwd ?? '', /the command or the folder does not exist/);
  });

  it('tries a backend that cannot start at all again only slowly, with one warning', async () => {
    switchboard = await startSwitchboard({ ghost: { command: 'definitely-not-a-command-4711' } }, ['--log-level', 'debug']);
    client = await switchboard.connect();
    const failing = await eventually('the proxy in error', async () => {
      const found = (await listProxies(client))[0];
      return found?.state === 'error' ? found : undefined;
    });
    assert.match(failing.error ?? '', /no such command\. .* Trying again every 5 minutes, or at once when its entry changes or it is restarted\.$/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(switchboard.stderr().match(/ghost: connecting/g)?.length, 1, 'no quick retries');
    assert.equal(switchboard.stderr().match(/^\[warn\] ghost:/gm)?.length, 1, switchboard.stderr());
  });

  it('reconnects a backend that keeps exiting, with growing delays', async () => {
    switchboard = await startSwitchboard({ flaky: misbehaving('--exit-after-initialize') }, ['--log-level', 'debug']);
    client = await switchboard.connect();
    const since = async () => ((await client.callTool({ name: 'list_proxies', arguments: {} })).structuredContent as { proxies: { since: string }[] }).proxies[0]?.since;
    await eventually('the first failure', () => /Retrying in 1 s\./.test(switchboard.stderr()) || undefined, 8_000);
    const failingSince = await since();
    await eventually('two reconnect delays in the log', () => (/Retrying in 1 s\.[\s\S]*Retrying in 2 s\./.test(switchboard.stderr()) ? true : undefined), 8_000);
    assert.equal(await since(), failingSince, '"since" is when the failures began, not the last retry');
    // The same failure again is no news: one warning, the repeats at debug.
    assert.equal(switchboard.stderr().match(/^\[warn\] flaky: The process exited\./gm)?.length, 1, switchboard.stderr());
    assert.match(switchboard.stderr(), /^\[debug\] flaky: The process exited\. Retrying in 2 s\.$/m);
  });

  it('falls back to SSE when a URL refuses the Streamable HTTP handshake', async () => {
    const legacy = spawn(process.execPath, [MISBEHAVING, '--transport', 'sse', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const sseUrl = await new Promise<string>((resolve) => legacy.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim())));
      switchboard = await startSwitchboard({ old: { url: sseUrl.replace(/\/sse$/, '/mcp') } });
      client = await switchboard.connect();
      await waitForTool(client, 'old_echo');
      assert.equal((await proxy(client, 'old'))?.transport, 'sse');
      assert.match(switchboard.stderr(), /refused Streamable HTTP \(405\); trying the SSE transport/);
    } finally {
      await stopProcess(legacy);
    }
  });

  it('leaves no backend process behind when it stops, also of backends still starting', async () => {
    const marker = `orphan-check-${process.pid}`;
    switchboard = await startSwitchboard({
      up: misbehaving('--name', marker),
      starting: misbehaving('--never-initialize', '--name', marker),
    });
    client = await switchboard.connect();
    await waitForTool(client, 'up_echo');
    assert.equal(processesWith(marker).length, 2);
    await switchboard.stop();
    await eventually('the backends to exit', () => processesWith(marker).length === 0 || undefined, 5_000);
  });
  it('warns once per burst, naming the proxy, about answers to requests nobody sent', async () => {
    switchboard = await startSwitchboard({ m: misbehaving('--stray-answers', '50') });
    client = await switchboard.connect();
    await waitForTool(client, 'm_echo');
    assert.equal(text(await client.callTool({ name: 'm_echo', arguments: { text: 'still fine' } })), 'still fine');
    const warnings = switchboard.stderr().match(/^\[warn\] m: answered a request the switchboard never sent \(ignored\): .*never-sent-0.*$/gm) ?? [];
    assert.equal(warnings.length, 1, switchboard.stderr());
    assert.doesNotMatch(switchboard.stderr(), /never-sent-1\b/, 'the rest of the burst is counted, not logged');
  });

  it('warns, naming the proxy, about a stdout line over the size limit, and carries on', async () => {
    switchboard = await startSwitchboard({ m: misbehaving('--oversized-line') });
    client = await switchboard.connect();
    await waitForTool(client, 'm_echo', 15_000);
    await eventually('the oversized-line warning', () => /^\[warn\] m: sent a line of more than 67108864 bytes on stdout \(the limit\); it was dropped\.$/m.test(switchboard.stderr()) || undefined);
    assert.equal(text(await client.callTool({ name: 'm_echo', arguments: { text: 'after the flood' } })), 'after the flood');
    assert.doesNotMatch(switchboard.stderr(), /non-MCP line/, 'the rest of the oversized line is skipped, not taken for a line of its own');
  });

  it("reports an HTTP backend's error status with its code", async () => {
    const failing = http.createServer((request, response) => {
      request.resume();
      response.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      switchboard = await startSwitchboard({ broken: { url: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/mcp` } });
      client = await switchboard.connect();
      const state = await eventually('the proxy to be in error', async () => {
        const found = await proxy(client, 'broken');
        return found?.state === 'error' ? found : undefined;
      });
      assert.match(state.error ?? '', /^Error POSTing to endpoint: boom \(HTTP 500\)\. Retrying in 1 s\.$/);
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
  });
});
