/**
 * The HTTP front's guards, checked with raw HTTP requests: a bearer token,
 * loopback Host/Origin only (DNS-rebinding protection), sane errors for
 * malformed traffic. A switchboard serves loopback only by default.
 */
import assert from 'node:assert/strict';
import { rawPost, type RunningSwitchboard, startSwitchboard } from './harness';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** An MCP client's POST, its headers changed as a test needs. */
const post = (url: string, body: string, headers: Record<string, string>) => rawPost(url, body, { 'content-type': 'application/json', ...headers });

describe('HTTP front security', function () {
  this.timeout(20_000);
  let switchboard: RunningSwitchboard;
  before(async () => (switchboard = await startSwitchboard({})));
  after(async () => switchboard?.stop());

  it('listens on loopback and prints a random token', () => {
    assert.match(switchboard.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.match(switchboard.token ?? '', /^[A-Za-z0-9_-]{24,}$/);
  });

  it('refuses requests without the bearer token', async () => {
    const none = await post(switchboard.url, INITIALIZE, {});
    assert.equal(none.status, 401);
    assert.match(none.headers['www-authenticate'] ?? '', /Bearer/);
    assert.match(none.body, /Unauthorized/);
    const wrong = await post(switchboard.url, INITIALIZE, { authorization: 'Bearer wrong' });
    assert.equal(wrong.status, 401);
  });

  it('answers with the token, as JSON when nothing streams', async () => {
    const answer = await post(switchboard.url, INITIALIZE, { authorization: `Bearer ${switchboard.token}` });
    assert.equal(answer.status, 200);
    assert.match(answer.headers['content-type'] ?? '', /application\/json/);
    assert.ok(answer.headers['mcp-session-id']);
    assert.equal((JSON.parse(answer.body) as { result: { serverInfo: { name: string } } }).result.serverInfo.name, 'switchboard');
  });

  it('serves the cached tools/list intact to the last byte', async () => {
    const authorization = `Bearer ${switchboard.token}`;
    const opened = await post(switchboard.url, INITIALIZE, { authorization });
    const session = { authorization, 'mcp-session-id': String(opened.headers['mcp-session-id']), 'mcp-protocol-version': '2025-06-18' };
    const single = await post(switchboard.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), session);
    assert.equal(single.status, 200);
    const listed = JSON.parse(single.body) as { id: number; result: { tools: { name: string }[] } };
    assert.equal(listed.id, 2);
    assert.deepEqual(listed.result.tools.map((tool) => tool.name).sort(), ['add_proxy', 'list_proxies', 'remove_proxy']);
    assert.equal(Number(single.headers['content-length']), Buffer.byteLength(single.body));
  });

  it('refuses a foreign Host or Origin (DNS rebinding), even with the token', async () => {
    const authorization = `Bearer ${switchboard.token}`;
    const host = await post(switchboard.url, INITIALIZE, { authorization, host: 'evil.example.com' });
    assert.equal(host.status, 403);
    assert.match(host.body, /DNS-rebinding/);
    const origin = await post(switchboard.url, INITIALIZE, { authorization, origin: 'http://evil.example.com' });
    assert.equal(origin.status, 403);
    const local = await post(switchboard.url, INITIALIZE, { authorization, origin: 'http://localhost:3000' });
    assert.equal(local.status, 200);
  });

  it('answers malformed traffic with a clear error', async () => {
    const authorization = `Bearer ${switchboard.token}`;
    assert.equal((await post(switchboard.url, '{not json', { authorization })).status, 400);
    assert.equal((await post(switchboard.url, '{"hello":1}', { authorization })).status, 400);
    const noSession = await post(switchboard.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), { authorization });
    assert.equal(noSession.status, 400);
    assert.match(noSession.body, /send initialize first/);
    const gone = await post(switchboard.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), { authorization, 'mcp-session-id': 'nope' });
    assert.equal(gone.status, 404);
    const wrongPath = await post(switchboard.url.replace('/mcp', '/other'), INITIALIZE, { authorization });
    assert.equal(wrongPath.status, 404);
  });
});
