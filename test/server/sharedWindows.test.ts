/**
 * VS Code windows attached to the user's shared switchboard, as real
 * processes: each window (played by a socket client that speaks the
 * extension's messages) gets its own view, the user proxies are one backend
 * process for every window and every `connect` client, and a window's
 * workspace proxies are its own.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { version } from '../../package.json';
import { startOAuthFixture } from '../support/oauthFixture';
import { WindowClient, type WindowMessage } from '../support/windowClient';
import { CLI, EVERYTHING, ROOT, eventually, freePort, processesWith, rawPost, temporaryFolder, text, waitForTool } from './harness';

interface Discovery {
  pid: number;
  url: string;
  token: string;
}

describe('VS Code windows on the user’s shared switchboard', function () {
  this.timeout(60_000);
  let folder: ReturnType<typeof temporaryFolder>;
  let env: Record<string, string>;
  let port: number;
  let marker: string;
  let settings: string;
  let daemon: ChildProcess | undefined;
  const windows: WindowClient[] = [];
  const clients: Client[] = [];

  const runtime = () => join(folder.path, 'run', 'mcp-switchboard');
  const discovery = () => JSON.parse(readFileSync(join(runtime(), 'switchboard.json'), 'utf8')) as Discovery;
  /** The user's entry, as every window's settings and the shared settings.json have it. */
  const userEntry = () => ({ command: process.execPath, args: [EVERYTHING, 'stdio', marker] });
  /** A window's workspace proxy, started in (and named after) that window's folder. */
  const workspaceEntry = () => ({ command: process.execPath, args: [EVERYTHING, 'stdio', '${workspaceFolder}'] });
  const backendsOf = (text: string) => processesWith(text).filter((pid) => pid !== daemon?.pid);

  const startSwitchboard = async (graceMs: number) => {
    daemon = spawn(process.execPath, [CLI, '--user', '--config', settings, '--port', String(port), '--idle-grace', String(graceMs)], { env, stdio: 'ignore' });
    await eventually('the discovery file', () => {
      try {
        return discovery().pid === daemon?.pid || undefined;
      } catch {
        return undefined;
      }
    });
  };

  /** A window that attaches, says which proxies it has, and resolves with its view's URL. */
  const attachWindow = async (id: string, workspace: string | undefined, name = `ws${id}`): Promise<{ window: WindowClient; url: string }> => {
    const window = await WindowClient.open(join(runtime(), 'windows.sock'));
    windows.push(window);
    const ready = await window.hello(discovery().token, id, version);
    assert.equal(ready.type, 'ready', JSON.stringify(ready));
    window.send({
      type: 'registry',
      proxies: {
        everything: { entry: userEntry(), scope: 'user' },
        ...(workspace !== undefined && { [name]: { entry: workspaceEntry(), scope: 'workspace' } }),
      },
      secrets: {},
      ...(workspace !== undefined && { workspaceFolder: workspace }),
    });
    return { window, url: String(ready.url) };
  };

  const mcpClient = async (url: string, options: ConstructorParameters<typeof Client>[1] = {}): Promise<Client> => {
    const client = new Client({ name: 'copilot-stand-in', version: '1.0.0' }, options);
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${discovery().token}` } } }));
    clients.push(client);
    return client;
  };

  const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);

  beforeEach(async () => {
    folder = temporaryFolder();
    port = await freePort();
    marker = `windows-test-${process.pid}-${Date.now()}`;
    env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: join(folder.path, 'config'), XDG_RUNTIME_DIR: join(folder.path, 'run') };
    settings = join(folder.path, 'settings.json');
    writeFileSync(settings, `{ "mcpSwitchboard.proxies": { "everything": ${JSON.stringify(userEntry())}, }, }\n`);
  });

  afterEach(async () => {
    for (const window of windows.splice(0)) window.close();
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    if (daemon?.pid !== undefined && daemon.exitCode === null) daemon.kill('SIGKILL');
    for (const pid of [...processesWith(marker), ...processesWith(folder.path)]) process.kill(pid, 'SIGKILL');
    daemon = undefined;
    folder.remove();
  });

  it('gives each window its own view, with one backend process per user proxy for every window and the connect clients', async () => {
    await startSwitchboard(5_000);
    const alpha = await attachWindow('alpha', join(folder.path, 'alpha'));
    const beta = await attachWindow('beta', join(folder.path, 'beta'));
    assert.equal(alpha.url, `http://127.0.0.1:${port}/w/alpha/mcp`);
    const copilotAlpha = await mcpClient(alpha.url);
    const copilotBeta = await mcpClient(beta.url);
    const userView = await mcpClient(discovery().url);
    for (const [client, tool] of [[copilotAlpha, 'wsalpha_echo'], [copilotBeta, 'wsbeta_echo'], [userView, 'everything_echo']] as const) {
      await waitForTool(client, tool, 20_000);
      await waitForTool(client, 'everything_echo', 20_000);
    }

    const alphaTools = await toolNames(copilotAlpha);
    assert.ok(!alphaTools.includes('wsbeta_echo'), "a window sees no other window's workspace proxy");
    assert.ok(!(await toolNames(copilotBeta)).includes('wsalpha_echo'));
    assert.ok(!(await toolNames(userView)).some((name) => name.startsWith('ws')), 'the user view has user proxies only');
    assert.equal(text(await copilotAlpha.callTool({ name: 'everything_echo', arguments: { message: 'from alpha' } })), 'Echo: from alpha');
    assert.equal(text(await copilotBeta.callTool({ name: 'wsbeta_echo', arguments: { message: 'from beta' } })), 'Echo: from beta');

    assert.equal(backendsOf(marker).length, 1, 'one process for the user proxy: two windows and the user view share it');
    assert.equal(backendsOf(join(folder.path, 'alpha')).length, 1, "alpha's workspace proxy runs with alpha's ${workspaceFolder}");
    assert.equal(backendsOf(join(folder.path, 'beta')).length, 1);
    const states = (window: WindowClient) => window.next((message) => message.type === 'state' && stateOf(message, 'everything') === 'connected');
    await states(alpha.window);
    await states(beta.window);

    // The user view applies its settings again (a hand edit): the windows still show the scope they gave it.
    writeFileSync(settings, `// edited\n${readFileSync(settings, 'utf8')}`);
    await new Promise((wait) => setTimeout(wait, 500));
    const before = alpha.window.messages.length;
    alpha.window.send({ type: 'restartProxy', name: 'everything' });
    const state = await alpha.window.next((message) => alpha.window.messages.indexOf(message) >= before && message.type === 'state' && stateOf(message, 'everything') === 'connected');
    assert.equal((state.proxies as { name: string; scope: string }[]).find((proxy) => proxy.name === 'everything')?.scope, 'user');

    // The agent in alpha's Copilot adds a proxy: alpha is asked, beta is not.
    const adding = copilotAlpha.callTool({ name: 'add_proxy', arguments: { name: 'more', command: 'node', args: ['server.js'] } });
    const asked = await alpha.window.next((message) => message.type === 'requestChange');
    assert.equal(asked.name, 'more');
    alpha.window.send({ type: 'changeResult', id: asked.id, ok: false, error: 'The user said no.' });
    assert.match(text(await adding), /The user said no\./);
    assert.ok(!beta.window.messages.some((message) => message.type === 'requestChange'));
  });

  it('shows a shared backend to each view as that view’s entry says: a window’s own filter and prefix apply to it alone', async () => {
    await startSwitchboard(5_000);
    const window = await WindowClient.open(join(runtime(), 'windows.sock'));
    windows.push(window);
    const ready = await window.hello(discovery().token, 'alpha', version);
    // The workspace's entry of the same name reaches the same server, with a filter and a prefix of its own.
    const narrowed = { ...userEntry(), prefix: 'ev', tools: { include: ['echo'] } };
    window.send({ type: 'registry', proxies: { everything: { entry: narrowed, scope: 'workspace' } }, secrets: {} });
    const copilot = await mcpClient(String(ready.url));
    const userView = await mcpClient(discovery().url);
    await waitForTool(copilot, 'ev_echo', 20_000);
    await waitForTool(userView, 'everything_get-sum', 20_000);
    assert.deepEqual((await toolNames(copilot)).filter((name) => name.startsWith('ev')), ['ev_echo']);
    assert.ok(!(await toolNames(userView)).includes('ev_echo'));
    assert.equal(backendsOf(marker).length, 1, 'one process for both views');
    const state = await window.next((message) => message.type === 'state' && stateOf(message, 'everything') === 'connected');
    const everything = (state.proxies as { name: string; scope: string; prefix: string }[]).find((proxy) => proxy.name === 'everything');
    assert.deepEqual([everything?.scope, everything?.prefix], ['workspace', 'ev']);
  });

  it('sends a shared backend’s sampling request to the client of the window whose call it serves', async () => {
    await startSwitchboard(5_000);
    const answering = async (window: string) => {
      const { url } = await attachWindow(window, undefined);
      const asked: string[] = [];
      const client = await mcpClient(url, { capabilities: { sampling: {} } });
      client.setRequestHandler(CreateMessageRequestSchema, async () => {
        asked.push(window);
        return { model: 'm', role: 'assistant', content: { type: 'text', text: `sampled in ${window}` } };
      });
      await waitForTool(client, 'everything_trigger-sampling-request', 20_000);
      return { client, asked };
    };
    const alpha = await answering('alpha');
    const beta = await answering('beta');
    const sample = (client: Client) => client.callTool({ name: 'everything_trigger-sampling-request', arguments: { prompt: 'p', maxTokens: 5 } });
    assert.match(text(await sample(beta.client)), /sampled in beta/);
    assert.match(text(await sample(alpha.client)), /sampled in alpha/);
    assert.deepEqual([alpha.asked, beta.asked], [['alpha'], ['beta']]);
    assert.equal(backendsOf(marker).length, 1, 'one backend served both windows');
  });

  it('keeps a window’s view through a reload, and stops its workspace proxies once it has not come back within the grace', async () => {
    await startSwitchboard(1_500);
    const workspace = join(folder.path, 'alpha');
    const stays = await attachWindow('beta', undefined);
    const first = await attachWindow('alpha', workspace);
    await first.window.next((message) => message.type === 'state' && stateOf(message, 'wsalpha') === 'connected');
    const [pid] = backendsOf(workspace);
    assert.ok(pid !== undefined);

    first.window.close();
    await new Promise((wait) => setTimeout(wait, 300));
    const reloaded = await attachWindow('alpha', workspace);
    await reloaded.window.next((message) => message.type === 'state' && stateOf(message, 'wsalpha') === 'connected');
    assert.deepEqual(backendsOf(workspace), [pid], 'the reloaded window has the same backend process');

    reloaded.window.close();
    await eventually('the workspace proxy to stop after the grace', () => (backendsOf(workspace).length === 0 ? true : undefined), 10_000);
    assert.equal(backendsOf(marker).length, 1, 'the user proxy goes on for the window still attached');
    assert.equal(daemon?.exitCode, null);
    stays.window.close();
  });

  it('serves a settings entry that needs a VS Code secret to the connect clients while a window that has it is attached', async () => {
    const keyedMarker = `${marker}-keyed`;
    const keyed = { command: process.execPath, args: [EVERYTHING, 'stdio', keyedMarker], env: { API_TOKEN: '${secret:api-token}' } };
    writeFileSync(settings, `{ "mcpSwitchboard.proxies": { "keyed": ${JSON.stringify(keyed)} } }\n`);
    await startSwitchboard(1_500);
    const userView = await mcpClient(discovery().url);
    const keyedState = async () => {
      const listed = await userView.callTool({ name: 'list_proxies', arguments: {} });
      return ((listed.structuredContent as { proxies: { name: string; state: string }[] }).proxies.find((proxy) => proxy.name === 'keyed'))?.state;
    };
    assert.equal(await keyedState(), 'disabled', 'no window has lent the secret yet');
    assert.deepEqual(backendsOf(keyedMarker), []);

    const window = await WindowClient.open(join(runtime(), 'windows.sock'));
    windows.push(window);
    await window.hello(discovery().token, 'alpha', version);
    window.send({ type: 'registry', proxies: { keyed: { entry: keyed, scope: 'user' } }, secrets: { 'api-token': 'from-secret-storage' } });
    await waitForTool(userView, 'keyed_echo', 20_000);
    assert.equal(text(await userView.callTool({ name: 'keyed_echo', arguments: { message: 'lent' } })), 'Echo: lent');
    const [backend] = backendsOf(keyedMarker);
    assert.equal(backendsOf(keyedMarker).length, 1, 'the window and the connect clients share it');
    assert.match(readFileSync(`/proc/${backend}/environ`, 'utf8'), /(^|\0)API_TOKEN=from-secret-storage(\0|$)/);

    window.close();
    await eventually('the entry to wait for a window again', async () => ((await keyedState()) === 'disabled' ? true : undefined), 10_000);
    await eventually('its process to end', () => (backendsOf(keyedMarker).length === 0 ? true : undefined));
  });

  it('signs the proxies of VS Code’s settings in through VS Code only: no browser opens by itself, and the proxy says where to sign in', async () => {
    const oauth = await startOAuthFixture(process.execPath, join(ROOT, 'out', 'fixtures', 'oauth-server.js'));
    try {
      writeFileSync(settings, `{ "mcpSwitchboard.proxies": { "guarded": ${JSON.stringify({ url: oauth.url })} } }\n`);
      // A browser that follows every redirect would sign in at once, if anything opened one.
      env.BROWSER = `${process.execPath} ${join(ROOT, 'out', 'fixtures', 'follow-redirects.js')}`;
      await startSwitchboard(5_000);
      const userView = await mcpClient(discovery().url);
      const guarded = await eventually('the proxy to wait for a sign-in', async () => {
        const listed = await userView.callTool({ name: 'list_proxies', arguments: {} });
        const found = (listed.structuredContent as { proxies: { name: string; state: string; error?: string }[] }).proxies.find((proxy) => proxy.name === 'guarded');
        return found?.state === 'needs-sign-in' ? found : undefined;
      });
      assert.match(guarded.error ?? '', /Click Sign In on its row in the MCP Switchboard view in VS Code/);
      await new Promise((wait) => setTimeout(wait, 500));
      assert.equal(((await oauth.admin('stats')) as { authorizations: number }).authorizations, 0, 'no sign-in began');
    } finally {
      oauth.process.kill();
    }
  });

  it('refuses a window with the wrong token or of another version, on a socket only the user can open', async () => {
    await startSwitchboard(5_000);
    const socket = join(runtime(), 'windows.sock');
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    assert.equal(statSync(runtime()).mode & 0o777, 0o700);

    const wrongToken = await WindowClient.open(socket);
    windows.push(wrongToken);
    const refusedToken = await wrongToken.hello('not-the-token', 'alpha', version);
    assert.equal(refusedToken.type, 'refused');
    assert.equal(refusedToken.because, 'token');
    assert.match(String(refusedToken.reason), /the token is not this switchboard's/);

    const otherVersion = await WindowClient.open(socket);
    windows.push(otherVersion);
    const refusedVersion = await otherVersion.hello(discovery().token, 'alpha', '0.0.1');
    assert.equal(refusedVersion.because, 'version');
    assert.match(String(refusedVersion.reason), new RegExp(`this switchboard is version ${version.replace(/\./g, '\\.')} and the window's extension 0\\.0\\.1`));

    const garbage = await WindowClient.open(socket);
    windows.push(garbage);
    garbage.send('not a hello');
    assert.match(String((await garbage.next((message) => message.type === 'refused')).reason), /the hello is not one/);

    // No view was made for any of them.
    const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    const answer = await rawPost(`http://127.0.0.1:${port}/w/alpha/mcp`, initialize, {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${discovery().token}`,
    });
    assert.equal(answer.status, 404);
    assert.match((JSON.parse(answer.body) as { error: { message: string } }).error.message, /no VS Code window "alpha" is attached/);
  });
});

function stateOf(message: WindowMessage, proxy: string): string | undefined {
  const proxies = message.proxies as { name: string; state: string }[] | undefined;
  return proxies?.find((status) => status.name === proxy)?.state;
}
