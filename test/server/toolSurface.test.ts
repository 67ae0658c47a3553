/**
 * Search mode, pins, per-tool overrides and profiles, through the built CLI
 * with real tool catalogs from npm behind it (server-everything, filesystem,
 * memory, sequential-thinking, github): what a client with a tool cap sees,
 * finds and calls.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Progress, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, eventually, listProxies, realCatalogs, type RunningSwitchboard, startSwitchboard, temporaryFolder, text, waitForTool } from './harness';

interface Found {
  tools: { name: string; description?: string; inputSchema: object }[];
}

async function search(client: Client, query: string, limit?: number): Promise<Found['tools']> {
  const result = await client.callTool({ name: 'search_tools', arguments: { query, ...(limit !== undefined && { limit }) } });
  assert.notEqual(result.isError, true, text(result));
  return (result.structuredContent as Found).tools;
}

describe('the tool surface: search mode, pins, overrides and profiles', function () {
  this.timeout(60_000);
  const folder = temporaryFolder();
  const catalogs = realCatalogs(folder.path);
  let switchboard: RunningSwitchboard;
  let client: Client;

  before(async () => {
    switchboard = await startSwitchboard(
      {
        ...catalogs,
        everything: { ...catalogs.everything, tools: { pin: ['echo'], overrides: { 'get-sum': { name: 'add_numbers', description: 'Adds two numbers.', annotations: { readOnlyHint: true } } } } },
      },
      ['--surface', 'search'],
    );
    client = await switchboard.connect();
    await eventually('every catalog connected', async () => {
      const proxies = await listProxies(client);
      return proxies.length === 5 && proxies.every((proxy) => proxy.state === 'connected') ? proxies : undefined;
    }, 30_000);
  });
  after(async () => {
    await switchboard?.stop();
    folder.remove();
  });

  it('lists only the switchboard tools, search_tools, call_tool and the pinned tools, in a few kilobytes', async () => {
    const listed = await client.listTools();
    const names = listed.tools.map((tool) => tool.name);
    assert.deepEqual(names, ['add_proxy', 'list_proxies', 'remove_proxy', 'search_tools', 'call_tool', 'everything_echo']);
    const pinned = Buffer.byteLength(JSON.stringify(listed.tools.at(-1))) + 1;
    const size = Buffer.byteLength(JSON.stringify(listed)) - pinned;
    assert.ok(size <= 4096, `${size} bytes besides the pinned tool`);
  });

  it('finds the tool a person would expect, best first, with its schema', async () => {
    const found = await search(client, 'what files are in this folder', 5);
    assert.ok(found.length > 0 && found.length <= 5);
    assert.equal(found[0]?.name, 'filesystem_list_directory', found.map((tool) => tool.name).join());
    assert.ok(found[0]?.inputSchema && 'properties' in found[0].inputSchema);
    assert.ok((await search(client, 'open an issue on a github repository', 5)).some((tool) => tool.name === 'github_create_issue'));
    assert.match((await search(client, 'remember that Alice works at Acme', 5))[0]?.name ?? '', /^memory_(create_entities|add_observations)$/);
    assert.ok((await search(client, 'issue', 50)).every((tool) => !tool.name.startsWith('filesystem_')), 'only tools that match');
  });

  it('calls a tool it did not list by its front name, with arguments, progress and the result as is', async () => {
    writeFileSync(join(folder.path, 'hello.txt'), 'hello from a file');
    const read = await client.callTool({ name: 'call_tool', arguments: { name: 'filesystem_read_text_file', arguments: { path: join(folder.path, 'hello.txt') } } });
    assert.match(text(read), /hello from a file/);
    const progress: Progress[] = [];
    const long = await client.callTool(
      { name: 'call_tool', arguments: { name: 'everything_trigger-long-running-operation', arguments: { duration: 1, steps: 3 } } },
      undefined,
      { onprogress: (update) => progress.push(update) },
    );
    assert.match(text(long), /Long running operation completed/);
    assert.ok(progress.length >= 2, `${progress.length} progress notifications`);
  });

  it('cancels a call made through call_tool', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'call_tool', arguments: { name: 'everything_trigger-long-running-operation', arguments: { duration: 20, steps: 20 } } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort('enough'), 300);
    await assert.rejects(call, /enough|abort/i);
  });

  it('applies per-tool overrides: another name, description and annotations, calls reaching the original', async () => {
    const found = await search(client, 'add two numbers');
    const renamed = found.find((tool) => tool.name === 'add_numbers');
    assert.ok(renamed, found.map((tool) => tool.name).join());
    assert.equal(renamed.description, 'Adds two numbers.');
    const sum = await client.callTool({ name: 'call_tool', arguments: { name: 'add_numbers', arguments: { a: 2, b: 40 } } });
    assert.match(text(sum), /42/);
    assert.ok(!(await search(client, 'sum')).some((tool) => tool.name === 'everything_get-sum'), 'the old name is gone');
  });

  it('refuses bad input with a clear error: empty query, unknown tool, call_tool calling itself', async () => {
    const empty = await client.callTool({ name: 'search_tools', arguments: { query: '  ' } });
    assert.equal(empty.isError, true);
    assert.match(text(empty), /Give a query/);
    await assert.rejects(client.callTool({ name: 'call_tool', arguments: { name: 'nope_nothing', arguments: {} } }), /Unknown tool "nope_nothing"/);
    const self = await client.callTool({ name: 'call_tool', arguments: { name: 'call_tool', arguments: {} } });
    assert.match(text(self), /calls other tools, not itself/);
  });

  it('says in the tree and list_proxies when an override cannot be applied', async () => {
    const entry = { ...catalogs.thinking, tools: { overrides: { sequentialthinking: { name: 'list_proxies' }, missing: { title: 'x' } } } };
    const current = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(switchboard.configPath, 'utf8'))) as { proxies: Record<string, unknown> };
    writeFileSync(switchboard.configPath, JSON.stringify({ proxies: { ...current.proxies, thinking: entry } }));
    const thinking = await eventually('the override problems', async () => (await listProxies(client)).find((proxy) => proxy.name === 'thinking' && (proxy as { problems?: string[] }).problems));
    const problems = (thinking as { problems?: string[] }).problems ?? [];
    assert.ok(problems.some((problem) => /tools\.overrides\.sequentialthinking\.name "list_proxies" is taken by another tool; it is listed as "thinking_sequentialthinking"/.test(problem)), problems.join('\n'));
    assert.ok(problems.some((problem) => /tools\.overrides has "missing", which the proxy does not offer/.test(problem)));
    assert.match(switchboard.stderr(), /Proxy "thinking": tools\.overrides\.sequentialthinking\.name "list_proxies" is taken/);
  });
});

describe('the surface switches live, and profiles narrow it', function () {
  this.timeout(60_000);
  const folder = temporaryFolder();
  const catalogs = realCatalogs(folder.path);
  after(() => folder.remove());

  it('auto searches once the visible tools cross the threshold, and says so with list_changed', async () => {
    const switchboard = await startSwitchboard({ thinking: catalogs.thinking }, ['--surface', 'auto', '--surface-threshold', '20']);
    try {
      const client = await switchboard.connect();
      await waitForTool(client, 'thinking_sequentialthinking');
      assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'thinking_sequentialthinking'), 'below the threshold: all tools');
      let changed = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      const registry = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(switchboard.configPath, 'utf8'))) as { proxies: object };
      writeFileSync(switchboard.configPath, JSON.stringify({ proxies: { ...registry.proxies, everything: catalogs.everything } }));
      await eventually('search mode', async () => ((await client.listTools()).tools.some((tool) => tool.name === 'search_tools') ? true : undefined), 20_000);
      assert.ok(changed >= 1);
      assert.ok(!(await client.listTools()).tools.some((tool) => tool.name === 'everything_echo'));
    } finally {
      await switchboard.stop();
    }
  });

  it('serves a profile over stdio: only its tools, its own surface, calls outside it refused; an unknown one is named', async () => {
    const configPath = join(folder.path, 'profiles.json');
    writeFileSync(
      configPath,
      JSON.stringify({ proxies: { everything: catalogs.everything }, profiles: { small: { include: ['everything_echo', 'everything_get-sum', 'list_proxies'] }, finder: { surface: 'search', include: ['everything_*'] } } }),
    );
    const open = async (profile: string) => {
      const client = new Client({ name: 'profile-test', version: '1' });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--stdio', '--config', configPath, '--profile', profile], stderr: 'pipe' }));
      return client;
    };
    const small = await open('small');
    try {
      await waitForTool(small, 'everything_echo');
      assert.deepEqual((await small.listTools()).tools.map((tool) => tool.name).sort(), ['everything_echo', 'everything_get-sum', 'list_proxies']);
      await assert.rejects(small.callTool({ name: 'everything_get-env', arguments: {} }), /not in the profile "small"/);
    } finally {
      await small.close();
    }
    const finder = await open('finder');
    try {
      await waitForTool(finder, 'search_tools');
      assert.ok(!(await finder.listTools()).tools.some((tool) => tool.name === 'everything_echo'));
      // The surface's own tools work whatever the profile's globs; what they reach stays inside the profile.
      const found = await finder.callTool({ name: 'search_tools', arguments: { query: 'echo the input' } });
      assert.ok((found.structuredContent as Found).tools.every((tool) => tool.name.startsWith('everything_')));
      assert.match(text(await finder.callTool({ name: 'call_tool', arguments: { name: 'everything_echo', arguments: { message: 'in profile' } } })), /in profile/);
      await assert.rejects(finder.callTool({ name: 'call_tool', arguments: { name: 'list_proxies', arguments: {} } }), /not in the profile "finder"/);
    } finally {
      await finder.close();
    }
    const unknown = new StdioClientTransport({ command: process.execPath, args: [CLI, '--stdio', '--config', configPath, '--profile', 'nope'], stderr: 'pipe' });
    let stderr = '';
    unknown.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await assert.rejects(new Client({ name: 'x', version: '1' }).connect(unknown));
    await eventually('the refusal', () => stderr.includes('has no profile "nope". Profiles: small, finder.') || undefined);
  });

  it('serves profiles over HTTP at /mcp/<profile>; an unknown one gets a 404 that lists the known ones', async () => {
    const profiles = { small: { include: ['everything_echo'] }, finder: { surface: 'search' } };
    const switchboard = await startSwitchboard(JSON.stringify({ proxies: { everything: catalogs.everything }, profiles }));
    try {
      const open = async (path: string) => {
        const client = new Client({ name: 'profile-test', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(new URL(`${switchboard.url}${path}`), { requestInit: { headers: { Authorization: `Bearer ${switchboard.token}` } } }));
        return client;
      };
      const small = await open('/small');
      await waitForTool(small, 'everything_echo');
      assert.deepEqual((await small.listTools()).tools.map((tool) => tool.name), ['everything_echo']);
      const finder = await open('/finder');
      assert.ok((await finder.listTools()).tools.some((tool) => tool.name === 'search_tools'));
      const unknown = await fetch(`${switchboard.url}/nope`, {
        method: 'POST',
        headers: { authorization: `Bearer ${switchboard.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      assert.equal(unknown.status, 404);
      assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /^Unknown profile "nope": the profiles are small \(\/mcp\/small\), finder \(\/mcp\/finder\)\.$/);
      await small.close();
      await finder.close();
    } finally {
      await switchboard.stop();
    }
  });
});
