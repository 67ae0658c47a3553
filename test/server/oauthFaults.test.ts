/**
 * Servers that ask for OAuth and then fail it, each in its own way: the
 * proxy ends in "needs sign-in" with one sentence that says what failed, and
 * the switchboard sends no request where it must not (the loopback tripwire
 * is preloaded: a request to another host would fail the run instead).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { eventually, freePort, listProxies, ROOT, type RunningSwitchboard, startSwitchboard, temporaryFolder } from './harness';

const FOLLOW_REDIRECTS = join(ROOT, 'out', 'fixtures', 'follow-redirects.js');
const TRIPWIRE = join(ROOT, 'out', 'fixtures', 'loopbackOnly.js');

type Route = (request: http.IncomingMessage, response: http.ServerResponse, origin: string) => void;

/** A protected resource at /mcp (always 401) whose metadata and authorization server answer as `routes` say. */
async function faultyServer(routes: Record<string, Route>): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const path = new URL(request.url ?? '/', origin).pathname;
    requests.push(`${request.method} ${path}`);
    const route = routes[path];
    if (route) return route(request, response, origin);
    if (path === '/mcp') {
      response.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` });
      return response.end();
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const json = (status: number, body: unknown): Route => (_request, response) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};
const resourceMetadata = (authorizationServer: (origin: string) => string): Route => (request, response, origin) =>
  json(200, { resource: `${origin}/mcp`, authorization_servers: [authorizationServer(origin)] })(request, response, origin);
const authorizationServerMetadata = (extra: Record<string, unknown> = {}): Route => (request, response, origin) =>
  json(200, {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  })(request, response, origin);

describe('OAuth faults: one sentence, nothing stuck, nothing sent where it must not go', function () {
  this.timeout(60_000);
  let switchboard: RunningSwitchboard | undefined;
  let server: Awaited<ReturnType<typeof faultyServer>> | undefined;
  let config: ReturnType<typeof temporaryFolder>;

  let browser: string;
  beforeEach(() => {
    config = temporaryFolder();
    browser = `${process.execPath} ${FOLLOW_REDIRECTS}`;
  });
  afterEach(async () => {
    await switchboard?.stop();
    switchboard = undefined;
    await server?.close();
    config.remove();
  });

  /** Mounts the faulty server and returns the proxy's error once its sign-in failed. */
  const signInFailure = async (routes: Record<string, Route>): Promise<string> => {
    server = await faultyServer(routes);
    switchboard = await startSwitchboard({ remote: { url: server.url } }, ['--no-auth'], ['--require', TRIPWIRE], {
      XDG_CONFIG_HOME: config.path,
      BROWSER: browser,
    });
    const client = await switchboard.connect();
    const proxy = await eventually('the sign-in to fail', async () =>
      (await listProxies(client)).find((candidate) => candidate.state === 'needs-sign-in' && /failed/.test(candidate.error ?? '')),
    );
    assert.doesNotMatch(proxy.error ?? '', /\n/, 'one line');
    return proxy.error ?? '';
  };

  it('a 401 that asks for no OAuth (no Bearer challenge, no metadata) stays an error, and no sign-in starts', async () => {
    server = await faultyServer({ '/mcp': (_request, response) => response.writeHead(401).end() });
    switchboard = await startSwitchboard({ remote: { url: server.url } }, ['--no-auth'], ['--require', TRIPWIRE], { XDG_CONFIG_HOME: config.path, BROWSER: 'false' });
    const client = await switchboard.connect();
    const proxy = await eventually('the proxy to fail', async () => (await listProxies(client)).find((candidate) => candidate.state === 'error'));
    assert.match(proxy.error ?? '', /401/);
    assert.ok(!server.requests.some((request) => /authorize|register|token/.test(request)), `no sign-in step: ${server.requests.join(', ')}`);
  });

  it('a 401 without a challenge from a server that publishes resource metadata needs sign-in', async () => {
    const closed = await freePort();
    const error = await signInFailure({
      '/mcp': (_request, response) => response.writeHead(401).end(),
      '/.well-known/oauth-protected-resource/mcp': resourceMetadata(() => `http://127.0.0.1:${closed}/`),
    });
    assert.match(error, /^Signing in to remote failed: could not reach/);
  });

  it('metadata that is not JSON', async () => {
    const error = await signInFailure({ '/.well-known/oauth-protected-resource/mcp': (_request, response) => response.end('<html>not metadata</html>') });
    assert.match(error, /^Signing in to remote failed: http:\/\/127\.0\.0\.1:\d+\/\S+ answered HTTP 404, not OAuth: check that the server's URL is right\. Change its entry or restart the switchboard to sign in again\.$/);
  });

  it('an authorization server that is not there', async () => {
    const closed = await freePort();
    const error = await signInFailure({ '/.well-known/oauth-protected-resource/mcp': resourceMetadata(() => `http://127.0.0.1:${closed}/`) });
    assert.match(error, new RegExp(`^Signing in to remote failed: could not reach http://127\\.0\\.0\\.1:${closed}/\\S+ \\(ECONNREFUSED\\)\\.`));
  });

  it('an authorization server that refuses the registration', async () => {
    const error = await signInFailure({
      '/.well-known/oauth-protected-resource/mcp': resourceMetadata((origin) => origin),
      '/.well-known/oauth-authorization-server': authorizationServerMetadata(),
      '/register': json(400, { error: 'invalid_client_metadata', error_description: 'redirect URIs on loopback are not allowed' }),
    });
    assert.match(error, /failed: the authorization server said invalid_client_metadata \(redirect URIs on loopback are not allowed\)\./);
  });

  it('a token endpoint that answers an error', async () => {
    const error = await signInFailure({
      '/.well-known/oauth-protected-resource/mcp': resourceMetadata((origin) => origin),
      '/.well-known/oauth-authorization-server': authorizationServerMetadata(),
      '/register': json(201, { client_id: 'faulty-client', redirect_uris: ['http://127.0.0.1/callback'] }),
      '/authorize': (request, response, origin) => {
        const query = new URL(request.url ?? '/', origin).searchParams;
        response.writeHead(302, { location: `${query.get('redirect_uri')}?code=one-code&state=${query.get('state')}&iss=${encodeURIComponent(origin)}` });
        response.end();
      },
      '/token': json(400, { error: 'invalid_grant', error_description: 'the code has expired' }),
    });
    assert.match(error, /failed: the authorization server said invalid_grant \(the code has expired\)\./);
  });

  it('a redirect that names another issuer is refused (a mix-up attack), before any code is exchanged', async () => {
    let exchanged = false;
    const error = await signInFailure({
      '/.well-known/oauth-protected-resource/mcp': resourceMetadata((origin) => origin),
      '/.well-known/oauth-authorization-server': authorizationServerMetadata({ authorization_response_iss_parameter_supported: true }),
      '/register': json(201, { client_id: 'faulty-client', redirect_uris: ['http://127.0.0.1/callback'] }),
      '/authorize': (request, response, origin) => {
        const query = new URL(request.url ?? '/', origin).searchParams;
        response.writeHead(302, { location: `${query.get('redirect_uri')}?code=one-code&state=${query.get('state')}&iss=${encodeURIComponent('https://evil.example')}` });
        response.end();
      },
      '/token': (request, response, origin) => {
        exchanged = true;
        json(400, { error: 'invalid_grant' })(request, response, origin);
      },
    });
    assert.match(error, /the redirect came from issuer https:\/\/evil\.example, not from http:\/\/127\.0\.0\.1:\d+, the one signed in with \(a possible mix-up attack\), so it was refused\./);
    assert.equal(exchanged, false, 'the code was not sent to the token endpoint');
  });

  it('a sign-in page that is not a web page (file:) is refused before any browser is started', async () => {
    const opened = join(config.path, 'browser-was-started');
    browser = `${process.execPath} -e require('fs').writeFileSync(${JSON.stringify(opened)},'')`;
    const error = await signInFailure({
      '/.well-known/oauth-protected-resource/mcp': resourceMetadata((origin) => origin),
      '/.well-known/oauth-authorization-server': (request, response, origin) =>
        authorizationServerMetadata({ authorization_endpoint: 'file:///etc/passwd' })(request, response, origin),
      '/register': json(201, { client_id: 'faulty-client', redirect_uris: ['http://127.0.0.1/callback'] }),
    });
    assert.match(error, /failed: its sign-in page file:\/\/\/etc\/passwd\?\S* is not https/);
    assert.equal(existsSync(opened), false, 'no browser was started');
  });

  it('an authorization server on a cloud metadata address is refused before any request to it', async () => {
    const error = await signInFailure({ '/.well-known/oauth-protected-resource/mcp': resourceMetadata(() => 'http://169.254.169.254/') });
    assert.match(error, /169\.254\.169\.254.* is a link-local address/);
  });

  it('an authorization server over plain http on another host is refused before any request to it', async () => {
    const error = await signInFailure({ '/.well-known/oauth-protected-resource/mcp': resourceMetadata(() => 'http://auth.example.com/') });
    assert.match(error, /http:\/\/auth\.example\.com\/.* is not https/);
  });
});
