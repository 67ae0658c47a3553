/**
 * A web page must never reach the switchboard, even with authentication off.
 * These are the requests a browser lets any page send without a CORS
 * preflight ("simple" requests), sent as raw HTTP to a `--no-auth` front:
 * each is refused, no session opens, no tool runs and the registry file is
 * unchanged. A page-like request from a loopback Origin still works.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { everythingStdio, rawPost, type RunningSwitchboard, startSwitchboard, waitForTool } from './harness';

const PROTOCOL = '2025-11-25';
const initialize = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'web page', version: '1' } },
});
/** What the hostile page sent: a whole session in one batch, planting a proxy at the end. */
const ATTACK = JSON.stringify([
  initialize(1),
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'everything_echo', arguments: { message: 'pwned' } } },
  { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'add_proxy', arguments: { name: 'planted', url: 'http://127.0.0.1:9/mcp' } } },
]);
const SNEAKY_TEXT = 'text/plain;charset=UTF-8;x=application/json';

const post = rawPost;

describe('browser requests to a --no-auth front', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard;
  let registryBefore: string;

  before(async () => {
    switchboard = await startSwitchboard({ everything: everythingStdio }, ['--no-auth']);
    const client = await switchboard.connect();
    await waitForTool(client, 'everything_echo');
    await client.close();
    registryBefore = readFileSync(switchboard.configPath, 'utf8');
  });
  after(async () => switchboard?.stop());

  const refusals: { what: string; headers: Record<string, string>; body?: string; status: number; message: RegExp }[] = [
    { what: 'Origin null with the text/plain trick', headers: { origin: 'null', 'content-type': SNEAKY_TEXT }, status: 403, message: /Origin "null"/ },
    { what: 'Origin null even as application/json', headers: { origin: 'null', 'content-type': 'application/json' }, status: 403, message: /Origin "null"/ },
    { what: 'a foreign Origin', headers: { origin: 'https://evil.example', 'content-type': SNEAKY_TEXT }, status: 403, message: /not this machine/ },
    { what: 'text/plain that names application/json in a parameter', headers: { 'content-type': SNEAKY_TEXT }, status: 415, message: /application\/json/ },
    { what: 'plain text', headers: { 'content-type': 'text/plain' }, status: 415, message: /application\/json/ },
    { what: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, message: /application\/json/ },
    { what: 'multipart', headers: { 'content-type': 'multipart/form-data; boundary=x' }, status: 415, message: /application\/json/ },
    { what: 'no Content-Type', headers: {}, status: 415, message: /application\/json/ },
    { what: 'a look-alike media type', headers: { 'content-type': 'application/jsonx' }, status: 415, message: /application\/json/ },
    { what: 'a JSON-RPC batch, even as application/json', headers: { 'content-type': 'application/json' }, status: 400, message: /batches are not supported/ },
  ];

  for (const refusal of refusals) {
    it(`refuses ${refusal.what} with ${refusal.status}`, async () => {
      const answer = await post(switchboard.url, refusal.body ?? ATTACK, refusal.headers);
      assert.equal(answer.status, refusal.status, answer.body);
      assert.match((JSON.parse(answer.body) as { error: { message: string } }).error.message, refusal.message);
      assert.equal(answer.headers['mcp-session-id'], undefined, 'no session was opened');
      assert.doesNotMatch(answer.body, /pwned|planted/);
    });
  }

  it('ran nothing: no proxy was planted, the registry file is unchanged', async () => {
    assert.equal(readFileSync(switchboard.configPath, 'utf8'), registryBefore);
    const client = await switchboard.connect();
    const listed = await client.callTool({ name: 'list_proxies', arguments: {} });
    assert.deepEqual((listed.structuredContent as { proxies: { name: string }[] }).proxies.map((proxy) => proxy.name), ['everything']);
  });

  it('still serves a page on this machine (loopback Origin), with a charset parameter', async () => {
    const opened = await post(switchboard.url, JSON.stringify(initialize(1)), { origin: 'http://localhost:5173', 'content-type': 'Application/JSON; charset=utf-8' });
    assert.equal(opened.status, 200, opened.body);
    const session = String(opened.headers['mcp-session-id']);
    const headers = { origin: 'http://127.0.0.1:5173', 'content-type': 'application/json', 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL };
    assert.equal((await post(switchboard.url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), headers)).status, 202);
    const echoed = await post(
      switchboard.url,
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'everything_echo', arguments: { message: 'from a local page' } } }),
      headers,
    );
    assert.equal(echoed.status, 200, echoed.body);
    assert.match(echoed.body, /Echo: from a local page/);
  });
});
