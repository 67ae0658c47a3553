import assert from 'node:assert/strict';
import { authUrlProblem, isLoopbackUrl, isTokenSafeUrl } from '../../src/core/oauth/authFetch';

describe('where OAuth requests may go', () => {
  it('takes https anywhere ordinary, and plain http only to this machine for a proxy on it', () => {
    assert.equal(authUrlProblem(new URL('https://auth.example.com/token'), false), undefined);
    assert.equal(authUrlProblem(new URL('http://127.0.0.1:9000/token'), true), undefined);
    assert.match(authUrlProblem(new URL('http://auth.example.com/token'), false) ?? '', /is not https/);
  });

  it('refuses this machine for a proxy that is not on it: a remote server cannot aim the switchboard at local services', () => {
    for (const url of ['http://127.0.0.1:8080/admin', 'https://localhost/token', 'http://[::1]:5000/']) {
      assert.match(authUrlProblem(new URL(url), false) ?? '', /points at this machine, though the server is not on it/, url);
    }
  });

  it('refuses link-local and cloud-metadata hosts, whatever the proxy', () => {
    assert.match(authUrlProblem(new URL('http://169.254.169.254/latest/meta-data'), true) ?? '', /link-local/);
    assert.match(authUrlProblem(new URL('https://metadata.google.internal/'), true) ?? '', /cloud metadata/);
  });

  it('refuses what a browser would hand to another program: file:, custom schemes, javascript:', () => {
    for (const url of ['file:///etc/passwd', 'ms-settings:display', 'javascript:alert(1)']) {
      assert.match(authUrlProblem(new URL(url), true) ?? '', /is not https/, url);
    }
  });

  it('counts only the literal names of this machine as loopback, not names a resolver could send elsewhere', () => {
    assert.ok(isLoopbackUrl(new URL('http://localhost:1/')) && isLoopbackUrl(new URL('http://127.8.9.10/')) && isLoopbackUrl(new URL('http://[::1]/')));
    assert.ok(!isLoopbackUrl(new URL('http://evil.localhost/')));
    assert.ok(!isTokenSafeUrl(new URL('http://evil.localhost/mcp')), 'no token over plain http to it');
    assert.ok(isTokenSafeUrl(new URL('https://mcp.example.com/mcp')));
  });
});
