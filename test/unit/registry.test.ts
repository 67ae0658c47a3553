import assert from 'node:assert/strict';
import { describeTarget, parseProxyEntry, registrySchema, sameConnection, sameEntry, transportOf, urlProblem } from '../../src/core/registry/registry';

describe('registry entries', () => {
  it('accepts a URL entry and a command entry', () => {
    assert.deepEqual(parseProxyEntry('weather', { url: 'http://localhost:8100/sse' }), { url: 'http://localhost:8100/sse' });
    const files = parseProxyEntry('files', { command: 'npx', args: ['-y', 'server', '${workspaceFolder}'], env: { A: 'b' } });
    assert.equal(files.command, 'npx');
  });

  it('takes oauth settings on a url proxy, never a secret written out, never on a command proxy', () => {
    const entry = { url: 'https://mcp.example.com/mcp', oauth: { clientId: 'abc', clientSecret: '${secret:example}', scopes: ['read', 'write'], redirectPort: 33418 } };
    assert.deepEqual(parseProxyEntry('remote', entry), entry);
    assert.deepEqual(parseProxyEntry('remote', { url: 'https://mcp.example.com/mcp', oauth: false }), { url: 'https://mcp.example.com/mcp', oauth: false });
    assert.throws(
      () => parseProxyEntry('remote', { url: 'https://mcp.example.com/mcp', oauth: { clientId: 'abc', clientSecret: 'hunter2' } }),
      /Write the client secret as \$\{secret:KEY\} \(stored with Set Secret…\) or \$\{env:NAME\}, not as the secret itself/,
    );
    assert.throws(() => parseProxyEntry('remote', { url: 'https://mcp.example.com/mcp', oauth: { clientSecret: '${secret:x}' } }), /A clientSecret belongs to a clientId/);
    assert.throws(() => parseProxyEntry('remote', { url: 'https://mcp.example.com/mcp', oauth: { clientMetadataUrl: 'http://example.com/client.json' } }), /clientMetadataUrl must be an https:\/\/ URL/);
    assert.throws(() => parseProxyEntry('local', { command: 'node', oauth: {} }), /"oauth" applies to a "url" proxy, not to a "command" one/);
  });

  it('refuses a bad name and says what is allowed', () => {
    assert.throws(() => parseProxyEntry('my server!', { url: 'http://x' }), /"my server!" is not a valid proxy name: use 1–32 characters of letters, digits, "_" and "-"/);
    assert.throws(() => parseProxyEntry('a'.repeat(33), { url: 'http://x' }), /not a valid proxy name/);
    assert.throws(() => parseProxyEntry('', { url: 'http://x' }), /not a valid proxy name/);
  });

  it("refuses the names JavaScript objects reserve, and keeps other names that objects inherit", () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      assert.throws(() => parseProxyEntry(name, { url: 'http://x' }), new RegExp(`"${name}" is reserved \\(so are __proto__, constructor, prototype\\): choose another proxy name`));
    }
    for (const name of ['toString', 'hasOwnProperty', 'valueOf']) assert.ok(parseProxyEntry(name, { url: 'http://x' }));
    assert.throws(() => parseProxyEntry('x', JSON.parse('{"command":"a","env":{"__proto__":"b"}}')), /env\.__proto__: "__proto__" cannot be used as a key/);
  });

  it('refuses an entry over the size limits, saying the limit', () => {
    assert.throws(() => parseProxyEntry('x', { command: 'node', args: ['x'.repeat(5 * 1024 * 1024)] }), /over the limit of 64 KiB/);
    assert.throws(
      () => parseProxyEntry('x', { command: 'node', args: Array.from({ length: 40 }, () => 'y'.repeat(1000)) }),
      /The command, its arguments and its environment are 40044 characters, over the limit of 32,000 \(what every system can start\)/,
    );
    assert.throws(() => parseProxyEntry('x', { command: 'node', env: { BIG: 'z'.repeat(33_000) } }), /over the limit of 32,000/);
    assert.ok(parseProxyEntry('x', { command: 'node', args: ['y'.repeat(31_000)] }));
  });

  it('needs exactly one of url or command', () => {
    assert.throws(() => parseProxyEntry('x', {}), /Give a "url" \(http:\/\/ or https:\/\/\) or a "command" to run/);
    assert.throws(() => parseProxyEntry('x', { url: 'http://a', command: 'b' }), /either "url" or "command", not both/);
  });

  it('refuses URLs that are not http(s) and fields that do not fit the kind', () => {
    assert.throws(() => parseProxyEntry('x', { url: 'ftp://host/mcp' }), /only http:\/\/ and https:\/\/ URLs/);
    assert.throws(() => parseProxyEntry('x', { url: 'not a url' }), /is not a URL/);
    assert.throws(() => parseProxyEntry('x', { url: 'http://a', args: ['b'] }), /"args" applies to a "command" proxy/);
    assert.throws(() => parseProxyEntry('x', { command: 'a', headers: {} }), /"headers" applies to a "url" proxy/);
    assert.throws(() => parseProxyEntry('x', { command: '  ' }), /command is empty/);
    assert.throws(() => parseProxyEntry('x', { command: 'a', transport: 'http' }), /uses transport "stdio"/);
    assert.throws(() => parseProxyEntry('x', { url: 'http://a', colour: 'red' }), /colour/);
  });

  it('checks URLs with variables only for their scheme', () => {
    assert.equal(urlProblem('http://localhost:${env:PORT}/mcp'), undefined);
    assert.match(urlProblem('${env:URL}') ?? '', /must start with http/);
  });

  it('infers the transport: stdio for commands, SSE for /sse URLs, else Streamable HTTP', () => {
    assert.equal(transportOf({ command: 'x' }), 'stdio');
    assert.equal(transportOf({ url: 'http://h/sse' }), 'sse');
    assert.equal(transportOf({ url: 'http://h/sse/?a=1' }), 'sse');
    assert.equal(transportOf({ url: 'http://h/mcp' }), 'http');
    assert.equal(transportOf({ url: 'http://h/sse', transport: 'http' }), 'http');
  });

  it('describes the target as a shell-like line', () => {
    assert.equal(describeTarget({ command: 'npx', args: ['-y', 'a b'] }), 'npx -y "a b"');
    assert.equal(describeTarget({ url: 'http://h/mcp' }), 'http://h/mcp');
  });

  it('tells a change of how to reach a backend from a change of what is shown of it', () => {
    const base = { command: 'node', args: ['a.js'] };
    assert.ok(sameConnection(base, { ...base, tools: { exclude: ['x'] }, prefix: 'p' }));
    assert.ok(!sameConnection(base, { ...base, args: ['b.js'] }));
    assert.ok(!sameConnection(base, { ...base, timeoutMs: 5_000 }));
    assert.ok(!sameConnection(base, { ...base, enabled: false }));
  });

  it('compares entries regardless of key order', () => {
    assert.ok(sameEntry({ command: 'a', args: ['b'] }, { args: ['b'], command: 'a' }));
    assert.ok(!sameEntry({ command: 'a', args: ['b'] }, { command: 'a', args: ['c'] }));
  });

  it('validates a whole registry keyed by name', () => {
    assert.ok(registrySchema.safeParse({ a: { url: 'http://x' } }).success);
    assert.ok(!registrySchema.safeParse({ 'bad name': { url: 'http://x' } }).success);
  });
});
