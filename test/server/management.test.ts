/**
 * The management tools and live mounting, through the real CLI: the agent adds
 * and removes proxies, the registry file changes, clients stay connected and
 * hear list_changed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { eventually, everythingStdio, listProxies, misbehaving, type RunningSwitchboard, startSwitchboard, text, waitForTool, writeRegistry } from './harness';


function savedRegistry(switchboard: RunningSwitchboard): Record<string, unknown> {
  return (JSON.parse(readFileSync(switchboard.configPath, 'utf8')) as { proxies: Record<string, unknown> }).proxies;
}

describe('management tools and live mounting', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  let client: Client;

  afterEach(async () => switchboard?.stop());

  it('lists proxies with state, transport, target and tool count, as text and structured content', async () => {
    switchboard = await startSwitchboard({ everything: everythingStdio, off: { url: 'http://127.0.0.1:9/mcp', enabled: false } });
    client = await switchboard.connect();
    await waitForTool(client, 'everything_echo');
    const result = await client.callTool({ name: 'list_proxies', arguments: {} });
    const proxies = await listProxies(client);
    assert.deepEqual(
      proxies.map((proxy) => [proxy.name, proxy.state, proxy.transport, proxy.scope]),
      [
        ['everything', 'connected', 'stdio', 'file'],
        ['off', 'disabled', 'http', 'file'],
      ],
    );
    assert.ok((proxies[0]?.toolCount ?? 0) > 10);
    assert.match(text(result), /everything: connected, stdio .*server-everything/);
  });

  it('add_proxy mounts live: the client hears list_changed, the new tools work, the file has the entry', async () => {
    switchboard = await startSwitchboard({}, ['--allow-agent-commands']);
    client = await switchboard.connect();
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    const added = await client.callTool({ name: 'add_proxy', arguments: { name: 'ev', ...everythingStdio } });
    assert.equal(added.isError, undefined, text(added));
    assert.match(text(added), /Proxy "ev" is mounted with \d+ tools: .*ev_echo/);
    await eventually('list_changed', () => changes > 0 || undefined);
    const echo = await client.callTool({ name: 'ev_echo', arguments: { message: 'live' } });
    assert.equal(text(echo), 'Echo: live');
    assert.deepEqual(savedRegistry(switchboard).ev, everythingStdio);

    const removed = await client.callTool({ name: 'remove_proxy', arguments: { name: 'ev' } });
    assert.match(text(removed), /Proxy "ev" was removed/);
    assert.deepEqual(savedRegistry(switchboard), {});
    await eventually('ev tools to go', async () => !(await client.listTools()).tools.some((tool) => tool.name.startsWith('ev_')) || undefined);
  });

  it('refuses a command proxy from the agent unless --allow-agent-commands, and says how to allow it', async () => {
    switchboard = await startSwitchboard({});
    client = await switchboard.connect();
    const refused = await client.callTool({ name: 'add_proxy', arguments: { name: 'ev', ...everythingStdio } });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /may not add command proxies.*--allow-agent-commands/);
    assert.deepEqual(savedRegistry(switchboard), {});
  });

  it('refuses bad arguments with the reason and what is allowed', async () => {
    switchboard = await startSwitchboard({});
    client = await switchboard.connect();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'bad name!', url: 'http://x/mcp' }, /"bad name!" is not a valid proxy name: use 1–32 characters/],
      [{ name: 'both', url: 'http://x/mcp', command: 'node' }, /either "url" or "command", not both/],
      [{ name: 'neither' }, /Give a "url" .* or a "command"/],
      [{ name: 'ftp', url: 'ftp://x/mcp' }, /only http:\/\/ and https:\/\//],
      [{ url: 'http://x/mcp' }, /name/],
    ];
    for (const [args, message] of cases) {
      const result = await client.callTool({ name: 'add_proxy', arguments: args });
      assert.equal(result.isError, true, JSON.stringify(args));
      assert.match(text(result), message);
    }
    const unknown = await client.callTool({ name: 'remove_proxy', arguments: { name: 'ghost' } });
    assert.match(text(unknown), /There is no proxy "ghost"/);
  });

  it('ten concurrent add_proxy calls lose nothing', async () => {
    switchboard = await startSwitchboard({});
    client = await switchboard.connect();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        client.callTool({ name: 'add_proxy', arguments: { name: `p${index}`, url: `http://127.0.0.1:9/mcp${index}` } }),
      ),
    );
    for (const result of results) assert.match(text(result), /was saved but is error|is mounted/);
    assert.deepEqual(Object.keys(savedRegistry(switchboard)).sort(), Array.from({ length: 10 }, (_, index) => `p${index}`).sort());
  });

  it('applies a hand edit of the file live, and keeps the last good registry when an edit does not parse', async () => {
    switchboard = await startSwitchboard({});
    client = await switchboard.connect();
    writeRegistry(switchboard.configPath, { hand: everythingStdio });
    await waitForTool(client, 'hand_echo');
    writeFileSync(switchboard.configPath, '{"proxies": {"hand": ');
    await eventually('the parse error in the log', () => /not valid JSON.*Keeping the last good registry/.test(switchboard.stderr()) || undefined);
    const echo = await client.callTool({ name: 'hand_echo', arguments: { message: 'still here' } });
    assert.equal(text(echo), 'Echo: still here');
    assert.equal(readFileSync(switchboard.configPath, 'utf8'), '{"proxies": {"hand": ');
  });

  it('applies a new tool filter or prefix without reconnecting the backend', async () => {
    const entry = misbehaving();
    switchboard = await startSwitchboard({ m: entry });
    client = await switchboard.connect();
    await waitForTool(client, 'm_echo');
    const backendPid = async () => {
      const read = await client.readResource({ uri: 'fixture://info' });
      return /\(pid (\d+)\)/.exec(String((read.contents[0] as { text?: string }).text))?.[1];
    };
    const pid = await backendPid();
    assert.ok(pid);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    writeRegistry(switchboard.configPath, { m: { ...entry, tools: { exclude: ['echo'] } } });
    await eventually('m_echo to be filtered out', async () => !(await client.listTools()).tools.some((tool) => tool.name === 'm_echo') || undefined);
    assert.ok(changes >= 1, 'clients heard list_changed');
    writeRegistry(switchboard.configPath, { m: { ...entry, tools: { exclude: ['echo'] }, prefix: 'renamed' } });
    await waitForTool(client, 'renamed_slow');
    assert.equal(await backendPid(), pid, 'the same backend process serves on');
    assert.equal((await listProxies(client))[0]?.state, 'connected');
    assert.doesNotMatch(switchboard.stderr(), /Changed; reconnecting/);
    assert.match(switchboard.stderr(), /m: Its tool filter or prefix changed; applied without reconnecting\./);
  });

  it('says once, in one line per pair of proxies, that they offer the same resources, also across reconnects', async () => {
    switchboard = await startSwitchboard({ a: everythingStdio, b: everythingStdio });
    client = await switchboard.connect();
    await waitForTool(client, 'a_echo');
    await waitForTool(client, 'b_echo');
    const clash = /\[warn\] \d+ resources \(demo:\/\/\S+, .* and \d+ more\) are offered by "a" and "b"; "a" serves them\./g;
    await eventually('the clash in the log', () => (switchboard.stderr().match(clash)?.length === 1 ? true : undefined));
    writeRegistry(switchboard.configPath, { a: everythingStdio, b: { ...everythingStdio, timeoutMs: 30_000 } });
    await eventually('b to reconnect', () => (switchboard.stderr().match(/b: connected/g)?.length === 2 ? true : undefined));
    await waitForTool(client, 'b_echo');
    assert.equal(switchboard.stderr().match(clash)?.length, 1, switchboard.stderr());
    assert.doesNotMatch(switchboard.stderr(), /\[warn\] Resource /, 'not a line per resource');
  });

  it('gives a later proxy a numbered prefix when names clash, and says so', async () => {
    switchboard = await startSwitchboard({ a: { ...everythingStdio, prefix: 'same' }, b: { ...everythingStdio, prefix: 'same' } });
    client = await switchboard.connect();
    await waitForTool(client, 'same_echo');
    await waitForTool(client, 'same2_echo');
    const proxies = await listProxies(client);
    assert.deepEqual(
      proxies.map((proxy) => [proxy.name, proxy.prefix]),
      [
        ['a', 'same'],
        ['b', 'same2'],
      ],
    );
  });

  it('mounts unprefixed with prefix "" and filters tools with include/exclude globs', async () => {
    switchboard = await startSwitchboard({ plain: { ...everythingStdio, prefix: '', tools: { include: ['get-*', 'echo'], exclude: ['*env*'] } } });
    client = await switchboard.connect();
    await waitForTool(client, 'echo');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    assert.ok(names.includes('get-sum'));
    assert.ok(!names.includes('get-env'));
    assert.ok(!names.includes('trigger-long-running-operation'));
  });
});
