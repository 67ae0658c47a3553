/**
 * The user's shared switchboard and `mcp-switchboard connect`, as real
 * processes: stdio clients (as Claude Desktop runs them) that attach to one
 * switchboard in the background, which it starts, and which ends after the
 * last one leaves.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, EVERYTHING, eventually, freePort, listProxies, processesWith, temporaryFolder, text, waitForTool } from './harness';

interface Discovery {
  pid: number;
  url: string;
  token: string;
  config: string;
}

describe('The user’s shared switchboard and connect', function () {
  this.timeout(60_000);
  let folder: ReturnType<typeof temporaryFolder>;
  let env: Record<string, string>;
  let port: number;
  let marker: string;
  let settings: string;
  const clients: Client[] = [];

  const discoveryPath = () => join(folder.path, 'run', 'mcp-switchboard', 'switchboard.json');
  const discovery = (): Discovery | undefined => {
    try {
      return JSON.parse(readFileSync(discoveryPath(), 'utf8')) as Discovery;
    } catch {
      return undefined;
    }
  };
  /** The processes serving this test's settings as the user's switchboard (argv in /proc is NUL-separated). */
  const userSwitchboards = () =>
    processesWith(settings).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--user');
      } catch {
        return false;
      }
    });

  /** A stdio client running `connect`, as an MCP client configuration would. */
  const connectClient = async (...args: string[]): Promise<Client> => {
    const client = new Client({ name: 'connect-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'connect', ...args], env, stderr: 'pipe' }));
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    folder = temporaryFolder();
    port = await freePort();
    marker = `connect-test-${process.pid}-${Date.now()}`;
    env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: join(folder.path, 'config'), XDG_RUNTIME_DIR: join(folder.path, 'run') };
    settings = join(folder.path, 'settings.json');
    // VS Code's user settings, as VS Code writes them by hand: comments and trailing commas.
    writeFileSync(
      settings,
      `{
  // The editor's own settings sit beside the registry.
  "editor.fontSize": 14,
  "mcpSwitchboard.proxies": {
    "everything": { "command": ${JSON.stringify(process.execPath)}, "args": [${JSON.stringify(EVERYTHING)}, "stdio", ${JSON.stringify(marker)}], },
  },
}
`,
    );
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    for (const pid of [...userSwitchboards(), ...processesWith(marker)]) process.kill(pid, 'SIGKILL');
    folder.remove();
  });

  it('serves VS Code’s settings.json (JSONC) to two clients from one switchboard and one backend process', async () => {
    const first = await connectClient('--vscode-settings', settings, '--port', String(port));
    const second = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(first, 'everything_echo', 20_000);
    await waitForTool(second, 'everything_echo', 20_000);
    assert.equal(text(await first.callTool({ name: 'everything_echo', arguments: { message: 'one' } })), 'Echo: one');
    assert.equal(text(await second.callTool({ name: 'everything_echo', arguments: { message: 'two' } })), 'Echo: two');
    assert.equal(userSwitchboards().length, 1, 'one switchboard');
    assert.equal(processesWith(marker).filter((pid) => !userSwitchboards().includes(pid)).length, 1, 'one backend process');
    assert.equal(discovery()?.url, `http://127.0.0.1:${port}/mcp`);
  });

  it('lists a proxy of VS Code’s settings whose ${secret:…} only VS Code has as waiting for VS Code, not failing in a loop', async () => {
    const keyed = { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer ${secret:api-token}' } };
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"mcpSwitchboard.proxies": {', `"mcpSwitchboard.proxies": { "keyed": ${JSON.stringify(keyed)},`));
    const client = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(client, 'everything_echo', 20_000);
    const keyedProxy = (await listProxies(client)).find((proxy) => proxy.name === 'keyed');
    assert.equal(keyedProxy?.state, 'disabled');
    assert.equal(
      keyedProxy.error,
      "It uses ${secret:api-token}, kept in VS Code's secret storage, which only a VS Code window can read: it runs here while a VS Code window " +
        "that has it is attached (mcpSwitchboard.sharedSwitchboard). To run it without one, set MCP_SWITCHBOARD_SECRET_API_TOKEN in this switchboard's environment.",
    );
  });

  it('keeps its files to the user: the token and discovery files 0600, their folders 0700', async () => {
    const client = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(client, 'everything_echo', 20_000);
    for (const file of [discoveryPath(), join(folder.path, 'config', 'mcp-switchboard', 'token')]) {
      assert.equal(statSync(file).mode & 0o777, 0o600, file);
      assert.equal(statSync(join(file, '..')).mode & 0o777, 0o700, `${file}'s folder`);
    }
    assert.equal(discovery()?.token, readFileSync(join(folder.path, 'config', 'mcp-switchboard', 'token'), 'utf8').trim());
  });

  it('ends, with its backends, once the last client has gone and the grace has passed; the token stays', async () => {
    // Started by hand with a short grace, as connect would start it.
    const daemon = spawn(process.execPath, [CLI, '--user', '--config', settings, '--port', String(port), '--idle-grace', '1000'], { env, stdio: 'ignore' });
    await eventually('the discovery file', () => discovery()?.pid === daemon.pid || undefined);
    const client = await connectClient('--vscode-settings', settings);
    await waitForTool(client, 'everything_echo', 20_000);
    const token = discovery()?.token;
    await client.close();
    await eventually('the switchboard to end', () => (daemon.exitCode !== null ? true : undefined), 15_000);
    assert.equal(daemon.exitCode, 0);
    assert.deepEqual(processesWith(marker), [], 'no backend left');
    assert.equal(discovery(), undefined, 'the discovery file is gone');
    assert.equal(readFileSync(join(folder.path, 'config', 'mcp-switchboard', 'token'), 'utf8').trim(), token, 'the token is kept for the next start');
  });

  it('starts one switchboard when two clients start at once', async () => {
    const [first, second] = await Promise.all([
      connectClient('--vscode-settings', settings, '--port', String(port)),
      connectClient('--vscode-settings', settings, '--port', String(port)),
    ]);
    await waitForTool(first!, 'everything_echo', 20_000);
    await waitForTool(second!, 'everything_echo', 20_000);
    await new Promise((wait) => setTimeout(wait, 500)); // The one that lost the port has exited by now.
    assert.equal(userSwitchboards().length, 1);
  });

  it('replaces a stale discovery file, and recovers after the switchboard is killed', async () => {
    mkdirSync(join(folder.path, 'run', 'mcp-switchboard'), { recursive: true, mode: 0o700 });
    writeFileSync(discoveryPath(), JSON.stringify({ pid: 999_999_999, url: `http://127.0.0.1:${port}/mcp`, token: 'stale-token', config: settings, version: '0' }));
    const client = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(client, 'everything_echo', 20_000);
    const killed = discovery()!.pid;
    assert.notEqual(killed, 999_999_999);
    process.kill(killed, 'SIGKILL');
    await eventually('the switchboard to be gone', () => (userSwitchboards().includes(killed) ? undefined : true));
    const again = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(again, 'everything_echo', 20_000);
    assert.notEqual(discovery()!.pid, killed);
  });

  it('reattaches its clients when the switchboard is killed: one successor, the call it had answered with an error, the next ones served', async () => {
    const first = await connectClient('--vscode-settings', settings, '--port', String(port));
    const second = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(first, 'everything_echo', 20_000);
    await waitForTool(second, 'everything_echo', 20_000);
    const killed = discovery()!.pid;
    const relisted = new Promise<void>((resolve) => first.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    const long = first.callTool({ name: 'everything_trigger-long-running-operation', arguments: { duration: 10, steps: 2 } });
    await eventually('the long call to reach the backend', () => (processesWith(marker).length > 0 ? true : undefined));
    await new Promise((wait) => setTimeout(wait, 300));
    process.kill(killed, 'SIGKILL');
    await assert.rejects(long, /The user's switchboard stopped while it had this request: try again\./);
    assert.equal(text(await first.callTool({ name: 'everything_echo', arguments: { message: 'again' } })), 'Echo: again');
    assert.equal(text(await second.callTool({ name: 'everything_echo', arguments: { message: 'too' } })), 'Echo: too');
    await relisted;
    assert.notEqual(discovery()?.pid, killed);
    assert.equal(userSwitchboards().length, 1, 'one successor, though both clients reattached');
  });

  it('answers with the reason when no successor can start, and reattaches at the next call once one can', async () => {
    const client = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(client, 'everything_echo', 20_000);
    const { createServer } = await import('node:net');
    const squatter = createServer();
    process.kill(discovery()!.pid, 'SIGKILL');
    // Another program takes the port the moment it is free, before a successor starts (which takes a Node start).
    for (const deadline = Date.now() + 2_000; ; ) {
      const taken = await new Promise<boolean>((resolve) => {
        squatter.once('error', () => resolve(false));
        squatter.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (taken) break;
      assert.ok(Date.now() < deadline, 'the port was freed');
      await new Promise((wait) => setTimeout(wait, 5));
    }
    // The bridge hears of the death from its event stream breaking. A call sent before that reaches the squatter,
    // which accepts the connection: that one counts as delivered and is answered "try again", which is right but
    // another path. This test is about the call that finds no successor.
    await new Promise((wait) => setTimeout(wait, 500));
    try {
      await assert.rejects(
        client.callTool({ name: 'everything_echo', arguments: { message: 'lost' } }, undefined, { timeout: 45_000 }),
        new RegExp(`could not be started again: The user's switchboard could not start: port ${port} on 127\\.0\\.0\\.1 is taken by another program: start with --port N\\.`),
      );
    } finally {
      squatter.close();
    }
    assert.equal(text(await client.callTool({ name: 'everything_echo', arguments: { message: 'back' } })), 'Echo: back');
    assert.equal(userSwitchboards().length, 1);
  });

  it('refuses, at once and without reattaching, a request to a profile that was removed from the settings', async () => {
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"mcpSwitchboard.proxies": {', '"mcpSwitchboard.profiles": { "small": { "include": ["everything_echo"] } },\n  "mcpSwitchboard.proxies": {'));
    const client = await connectClient('--vscode-settings', settings, '--port', String(port), '--profile', 'small');
    await waitForTool(client, 'everything_echo', 20_000);
    const pid = discovery()!.pid;
    writeFileSync(settings, readFileSync(settings, 'utf8').replace(/"mcpSwitchboard\.profiles": \{.*\},\n/, ''));
    await eventually('the profile to be gone', async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/mcp/small`, { method: 'POST', headers: { authorization: `Bearer ${discovery()!.token}` } });
      return answer.status === 404 ? true : undefined;
    });
    const started = Date.now();
    await assert.rejects(client.callTool({ name: 'everything_echo', arguments: { message: 'x' } }), /Unknown profile "small": no profiles are defined\./);
    assert.ok(Date.now() - started < 1_000, `refused in ${Date.now() - started} ms`);
    assert.deepEqual(userSwitchboards(), [pid], 'the same switchboard, none started');
  });

  it('rotate-token locks the old token out at once, and a connected client follows the new one', async () => {
    const client = await connectClient('--vscode-settings', settings, '--port', String(port));
    await waitForTool(client, 'everything_echo', 20_000);
    const old = discovery()!.token;
    const rotate = spawnSync(process.execPath, [CLI, 'rotate-token'], { env, encoding: 'utf8' });
    assert.equal(rotate.status, 0, rotate.stderr);
    assert.match(rotate.stdout, /^A new token is in .*token\. The user's switchboard takes it at once and refuses the old one/);
    await eventually('the discovery file to carry the new token', () => (discovery()?.token !== old ? true : undefined));
    const url = discovery()!.url;
    const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    const post = (token: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` }, body: initialize });
    assert.equal((await post(old)).status, 401, 'the old token is refused');
    assert.equal((await post(discovery()!.token)).status, 200, 'the new one is taken');
    assert.equal(text(await client.callTool({ name: 'everything_echo', arguments: { message: 'after' } })), 'Echo: after', 'connect followed the rotation');
  });

  it('says clearly when its port is taken by another program, or its registry is not there', async () => {
    const { createServer } = await import('node:net');
    const squatter = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      const daemon = spawn(process.execPath, [CLI, '--user', '--config', settings, '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      daemon.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => daemon.once('exit', resolve));
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken by another program: start with --port N\\.`));
    } finally {
      squatter.close();
    }
    const missing = join(folder.path, 'missing.json');
    const connect = spawnSync(process.execPath, [CLI, 'connect', '--config', missing], { env, encoding: 'utf8', input: '' });
    assert.equal(connect.status, 1);
    assert.equal(connect.stderr, `mcp-switchboard: ${missing} does not exist: connect serves a registry that is there (a proxies.json or a VS Code settings.json).\n`);
    assert.equal(userSwitchboards().length, 0, 'nothing was started');
  });
});
