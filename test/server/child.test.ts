/**
 * The process the extension forks (dist/server.js), driven over real Node IPC
 * the way the extension drives it: registry in, ready/state/log/requestChange out.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TOKEN_ENV, type ToExtensionMessage, toExtensionMessageSchema, type ToServerMessage } from '../../src/core/ipc';
import { ROOT, eventually, everythingStdio, stopProcess, waitForTool } from './harness';

const SERVER = join(ROOT, 'dist', 'server.js');
const TOKEN = 'test-token-0123456789';

interface Child {
  readonly process: ChildProcess;
  readonly messages: ToExtensionMessage[];
  send(message: ToServerMessage | Record<string, unknown>): void;
  next<T extends ToExtensionMessage['type']>(type: T): Promise<Extract<ToExtensionMessage, { type: T }>>;
}

function startChild(): Child {
  const child = fork(SERVER, [], { env: { ...process.env, [TOKEN_ENV]: TOKEN }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const messages: ToExtensionMessage[] = [];
  child.on('message', (raw) => messages.push(toExtensionMessageSchema.parse(raw)));
  let seen = 0;
  return {
    process: child,
    messages,
    send: (message) => child.send(message),
    async next(type) {
      const found = await eventually(`a "${type}" message`, () => {
        const index = messages.findIndex((message, position) => position >= seen && message.type === type);
        if (index === -1) return undefined;
        seen = index + 1;
        return messages[index];
      });
      return found as never;
    },
  };
}

const registry = (proxies: Record<string, unknown>): ToServerMessage =>
  ({
    type: 'registry',
    proxies: Object.fromEntries(Object.entries(proxies).map(([name, entry]) => [name, { entry, scope: 'user' }])),
    secrets: {},
  }) as ToServerMessage;

describe('the extension’s server process', function () {
  this.timeout(30_000);
  let child: Child;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    client = undefined;
    await stopProcess(child.process);
  });

  async function connect(url: string): Promise<Client> {
    const connected = new Client({ name: 'test', version: '1' });
    await connected.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    return connected;
  }

  it('serves the registry it is sent, on loopback with the token, and reports states', async () => {
    child = startChild();
    child.send(registry({ everything: everythingStdio }));
    const { url } = await child.next('ready');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    client = await connect(url);
    await waitForTool(client, 'everything_echo');
    const state = await eventually('a connected state', () =>
      child.messages.find((message) => message.type === 'state' && message.proxies[0]?.state === 'connected'),
    );
    assert.equal(state.type === 'state' && state.proxies[0]?.scope, 'user');
    assert.ok(child.messages.some((message) => message.type === 'log' && message.proxy === 'everything'));
  });

  it('asks the extension before add_proxy changes anything, and reports a refusal to the agent', async () => {
    child = startChild();
    child.send(registry({}));
    client = await connect((await child.next('ready')).url);
    const pending = client.callTool({ name: 'add_proxy', arguments: { name: 'ev', ...everythingStdio, scope: 'workspace' } });
    const request = await child.next('requestChange');
    assert.deepEqual([request.op, request.name, request.scope, request.entry?.command], ['add', 'ev', 'workspace', everythingStdio.command]);
    child.send({ type: 'changeResult', id: request.id, ok: false, error: 'the user said no.' });
    const refused = await pending;
    assert.equal(refused.isError, true);
    assert.match(JSON.stringify(refused.content), /Proxy \\"ev\\" was not added: the user said no\./);
  });

  it('mounts what the extension writes after an allowed add_proxy', async () => {
    child = startChild();
    child.send(registry({}));
    client = await connect((await child.next('ready')).url);
    const pending = client.callTool({ name: 'add_proxy', arguments: { name: 'ev', ...everythingStdio } });
    const request = await child.next('requestChange');
    child.send(registry({ ev: everythingStdio }));
    child.send({ type: 'changeResult', id: request.id, ok: true });
    const added = await pending;
    assert.match(JSON.stringify(added.content), /Proxy \\"ev\\" is mounted with \d+ tools/);
  });

  it('ignores a message that breaks the contract, and says so in the log', async () => {
    child = startChild();
    child.send({ type: 'registry', proxies: { 'bad name': { entry: { url: 'http://x' }, scope: 'user' } }, secrets: {} });
    await eventually('the contract error in the log', () =>
      child.messages.find((message) => message.type === 'log' && /breaks the contract/.test(message.line)),
    );
    assert.ok(!child.messages.some((message) => message.type === 'ready'));
  });

  it('exits, ending its backends, when the extension host goes away', async () => {
    child = startChild();
    child.send(registry({ everything: everythingStdio }));
    client = await connect((await child.next('ready')).url);
    await waitForTool(client, 'everything_echo');
    const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
    child.process.disconnect();
    assert.equal(await exited, 0);
  });
});
