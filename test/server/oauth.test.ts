/**
 * Signing in to a real OAuth 2.1-protected MCP server (test/fixtures/oauth-server.ts,
 * built from the SDK's auth router) through the built CLI: the CLI signs in
 * by itself, with $BROWSER set to a stand-in that follows the server's
 * auto-approving redirect back to the switchboard's loopback callback.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type OAuthFixture, startOAuthFixture } from '../support/oauthFixture';
import {
  eventually,
  listProxies,
  ROOT,
  type RunningSwitchboard,
  startSwitchboard,
  stopProcess,
  temporaryFolder,
  text,
  waitForTool,
  writeRegistry,
} from './harness';

const FIXTURE = join(ROOT, 'out', 'fixtures', 'oauth-server.js');
const FOLLOW_REDIRECTS = join(ROOT, 'out', 'fixtures', 'follow-redirects.js');
const TRIPWIRE = join(ROOT, 'out', 'fixtures', 'loopbackOnly.js');

const startOAuthServer = (...flags: string[]): Promise<OAuthFixture> => startOAuthFixture(process.execPath, FIXTURE, flags, true);

interface Stats {
  registrations: number;
  authorizations: number;
  tokenRequests: { authorization_code: number; refresh_token: number };
}

/** Where the CLI keeps tokens under this test's XDG_CONFIG_HOME. */
function tokenFiles(config: string): string[] {
  const folder = join(config, 'mcp-switchboard', 'auth');
  try {
    return readdirSync(folder).map((name) => join(folder, name));
  } catch {
    return [];
  }
}

describe('OAuth sign-in (CLI, real OAuth-protected server)', function () {
  this.timeout(60_000);
  let server: OAuthFixture;
  let switchboard: RunningSwitchboard | undefined;
  let config: ReturnType<typeof temporaryFolder>;

  const start = async (registry: Record<string, unknown>, browser = `${process.execPath} ${FOLLOW_REDIRECTS}`): Promise<Client> => {
    switchboard = await startSwitchboard(registry, ['--no-auth'], ['--require', TRIPWIRE], { XDG_CONFIG_HOME: config.path, BROWSER: browser });
    return await switchboard.connect();
  };

  beforeEach(() => {
    config = temporaryFolder();
  });
  afterEach(async () => {
    await switchboard?.stop();
    switchboard = undefined;
    await stopProcess(server.process);
    config.remove();
  });

  it('signs in by itself, keeps tokens in user-only files and never in the registry file', async () => {
    server = await startOAuthServer();
    const client = await start({ remote: { url: server.url } });
    await waitForTool(client, 'remote_whoami', 20_000);
    assert.equal(text(await client.callTool({ name: 'remote_whoami', arguments: {} })), 'alice');
    assert.match(switchboard!.stderr(), /Sign in to remote: open http:\/\/127\.0\.0\.1:\d+\/authorize\?/);

    const files = tokenFiles(config.path);
    assert.equal(files.length, 1);
    assert.equal(statSync(files[0]!).mode & 0o777, 0o600);
    assert.equal(statSync(join(config.path, 'mcp-switchboard', 'auth')).mode & 0o777, 0o700);
    const stored = JSON.parse(readFileSync(files[0]!, 'utf8')) as { tokens: { access_token: string; refresh_token: string } };
    const registryText = readFileSync(switchboard!.configPath, 'utf8');
    assert.ok(!registryText.includes(stored.tokens.access_token) && !registryText.includes(stored.tokens.refresh_token), 'no token in proxies.json');
    const stats = (await server.admin('stats')) as Stats;
    assert.deepEqual([stats.registrations, stats.authorizations], [1, 1]);
  });

  it('signs in a proxy over the legacy SSE transport too', async () => {
    server = await startOAuthServer();
    const client = await start({ legacy: { url: `${server.url}/sse` } });
    await waitForTool(client, 'legacy_whoami', 20_000);
    assert.equal(text(await client.callTool({ name: 'legacy_whoami', arguments: {} })), 'alice');
    assert.equal(((await server.admin('stats')) as Stats).authorizations, 1);
  });

  it('refreshes an expired token without a new sign-in', async () => {
    server = await startOAuthServer('--token-ttl', '2');
    const client = await start({ remote: { url: server.url } });
    await waitForTool(client, 'remote_whoami', 20_000);
    await new Promise((wait) => setTimeout(wait, 2_500));
    assert.equal(text(await client.callTool({ name: 'remote_echo', arguments: { text: 'after expiry' } })), 'after expiry');
    const stats = (await server.admin('stats')) as Stats;
    assert.equal(stats.authorizations, 1, 'no second sign-in');
    assert.ok(stats.tokenRequests.refresh_token >= 1, 'the token was refreshed');
  });

  it('two switchboards sharing a sign-in refresh it one at a time: both keep working, none signs in again', async () => {
    server = await startOAuthServer('--token-ttl', '3');
    const env = { XDG_CONFIG_HOME: config.path, XDG_RUNTIME_DIR: join(config.path, 'run'), BROWSER: `${process.execPath} ${FOLLOW_REDIRECTS}` };
    const registry = { remote: { url: server.url } };
    switchboard = await startSwitchboard(registry, ['--no-auth'], ['--require', TRIPWIRE], env);
    const first = await switchboard.connect();
    await waitForTool(first, 'remote_whoami', 20_000);
    // The second finds the first one's tokens in the store: no sign-in of its own.
    const other = await startSwitchboard(registry, ['--no-auth'], ['--require', TRIPWIRE], env);
    try {
      const second = await other.connect();
      await waitForTool(second, 'remote_whoami', 20_000);
      for (let round = 1; round <= 3; round++) {
        await new Promise((wait) => setTimeout(wait, 3_200)); // Expired: both refresh at the next call, at the same moment.
        const answers = await Promise.all([first, second].map((client) => client.callTool({ name: 'remote_echo', arguments: { text: `round ${round}` } })));
        assert.deepEqual(answers.map(text), [`round ${round}`, `round ${round}`]);
      }
      const stats = (await server.admin('stats')) as Stats;
      assert.equal(stats.authorizations, 1, 'a refused refresh would have signed in again');
      assert.ok(stats.tokenRequests.refresh_token >= 3, `refreshed ${stats.tokenRequests.refresh_token} times`);
    } finally {
      await other.stop();
    }
  });

  it('a revoked sign-in needs sign-in again: the call says so, and the CLI signs in again by itself', async () => {
    server = await startOAuthServer();
    const client = await start({ remote: { url: server.url } });
    await waitForTool(client, 'remote_whoami', 20_000);
    await server.admin('revoke', {});
    // The call in flight when the token stops working fails with the reason (a JSON-RPC error, as for a proxy that went down).
    await assert.rejects(client.callTool({ name: 'remote_whoami', arguments: {} }), /remote: the proxy needs sign-in: The sign-in was revoked or expired/);
    await eventually('a second sign-in', async () => ((await server.admin('stats')) as Stats).authorizations === 2 || undefined, 20_000);
    await waitForTool(client, 'remote_whoami', 20_000);
    assert.equal(text(await client.callTool({ name: 'remote_whoami', arguments: {} })), 'alice');
  });

  it('keeps two proxies of one server with two accounts apart, and deletes the tokens of a removed one', async () => {
    server = await startOAuthServer();
    const client = await start({ work: { url: server.url } });
    await waitForTool(client, 'work_whoami', 20_000);
    await server.admin('next-account', { account: 'bob' });
    writeRegistry(switchboard!.configPath, { work: { url: server.url }, home: { url: server.url } });
    await waitForTool(client, 'home_whoami', 20_000);
    assert.equal(text(await client.callTool({ name: 'work_whoami', arguments: {} })), 'alice');
    assert.equal(text(await client.callTool({ name: 'home_whoami', arguments: {} })), 'bob');
    assert.equal(tokenFiles(config.path).length, 2);

    writeRegistry(switchboard!.configPath, { work: { url: server.url } });
    await eventually('the removed proxy’s tokens deleted', () => tokenFiles(config.path).length === 1 || undefined);
    assert.match(tokenFiles(config.path)[0]!, /\/work\.[0-9a-f]{16}\.json$/);
  });

  it('opens no browser by itself for a proxy the agent added: it waits, saying how to sign in', async () => {
    server = await startOAuthServer();
    const client = await start({});
    const added = await client.callTool({ name: 'add_proxy', arguments: { name: 'agentic', url: server.url } });
    assert.match(text(added), /^Proxy "agentic" was saved; its server needs the user to sign in\. .*The agent added it, so the switchboard opens no browser for it by itself: restart the switchboard to sign in\.$/);
    await new Promise((wait) => setTimeout(wait, 500));
    assert.equal(((await server.admin('stats')) as Stats).authorizations, 0, 'no sign-in was started');
    assert.doesNotMatch(switchboard!.stderr(), /Sign in to agentic: open/);
  });

  it('with oauth: false, a 401 is an error, and nothing opens', async () => {
    server = await startOAuthServer();
    const client = await start({ remote: { url: server.url, oauth: false } });
    const proxy = await eventually('the proxy to fail', async () => (await listProxies(client)).find((candidate) => candidate.state === 'error'));
    assert.match(proxy.error ?? '', /401/);
    assert.deepEqual(((await server.admin('stats')) as Stats).authorizations, 0);
  });

  it('a sign-in whose browser never comes back waits in needs sign-in, without a retry loop', async () => {
    server = await startOAuthServer();
    // A "browser" that opens nothing: the sign-in waits for a callback that never arrives.
    const client = await start({ remote: { url: server.url } }, 'true');
    const proxy = await eventually('needs sign-in', async () => (await listProxies(client)).find((candidate) => candidate.state === 'needs-sign-in'));
    assert.match(proxy.error ?? '', /opened the sign-in page in your browser/);
    await new Promise((wait) => setTimeout(wait, 1_500));
    const stats = (await server.admin('stats')) as Stats;
    assert.equal(stats.registrations, 1, 'one registration, no loop');
    const result = await client.callTool({ name: 'list_proxies', arguments: {} });
    assert.match(text(result), /remote: needs-sign-in/);
  });
});
