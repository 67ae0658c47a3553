import assert from 'node:assert/strict';
import { isWritableFormat, parseRegistryDocument, serializeRegistry } from '../../src/core/registry/registryFormats';

describe('registry file formats', () => {
  it('reads the switchboard format', () => {
    const document = parseRegistryDocument('{"proxies":{"a":{"url":"http://x/mcp"}}}', 'p.json');
    assert.equal(document.format, 'switchboard');
    assert.deepEqual(document.registry, { a: { url: 'http://x/mcp' } });
  });

  it("reads VS Code's settings.json: comments, trailing commas, an invalid entry left out with a note, read-only", () => {
    const text = `{
  // user settings
  "editor.fontSize": 14,
  "mcpSwitchboard.proxies": {
    "good": { "url": "https://mcp.example.com/mcp", },
    "bad": { "url": "ftp://nowhere" },
  },
  "mcpSwitchboard.profiles": { "reader": { "include": ["good_*"] } },
}`;
    const document = parseRegistryDocument(text, 'settings.json');
    assert.equal(document.format, 'vscodeSettings');
    assert.deepEqual(document.registry, { good: { url: 'https://mcp.example.com/mcp' } });
    assert.deepEqual(document.profiles, { reader: { include: ['good_*'] } });
    assert.equal(document.notes.length, 1);
    assert.match(document.notes[0] ?? '', /^"bad" in mcpSwitchboard\.proxies was left out: /);
    assert.equal(isWritableFormat(document.format), false);
    assert.deepEqual(parseRegistryDocument('{ "editor.tabSize": 2 }', 'settings.json').registry, {}, 'settings without a registry: none');
  });

  it('reads an empty settings.json as VS Code’s settings with no proxies, and still says what an empty file of another name lacks', () => {
    assert.equal(parseRegistryDocument('{}\n', '/home/u/.config/Code/User/settings.json').format, 'vscodeSettings');
    assert.deepEqual(parseRegistryDocument('{}\n', '/home/u/.config/Code/User/settings.json').registry, {});
    assert.throws(() => parseRegistryDocument('{}\n', '/home/u/proxies.json'), /has no "proxies", "servers" or "mcpServers" key/);
  });

  it('refuses a file with an entry called __proto__ rather than lose it, and reads a byte order mark', () => {
    assert.throws(() => parseRegistryDocument('{"proxies":{"__proto__":{"url":"http://x/mcp"}}}', 'p.json'), /p\.json: "__proto__" is reserved/);
    assert.throws(() => parseRegistryDocument('{"proxies":[{"name":"__proto__","url":"http://x/mcp"}]}', 'p.json'), /"__proto__" is reserved/);
    const imported = parseRegistryDocument('{"mcpServers":{"__proto__":{"command":"a"},"constructor":{"command":"b"}}}', 'claude.json');
    assert.deepEqual(Object.keys(imported.registry), ['__proto__-2', 'constructor-2']);
    assert.equal(Object.getPrototypeOf(imported.registry), Object.prototype);
    assert.deepEqual(parseRegistryDocument('\uFEFF{"proxies":{"a":{"url":"http://x/mcp"}}}', 'p.json').registry, { a: { url: 'http://x/mcp' } });
  });

  it('refuses a registry of more proxies than the limit', () => {
    const proxies = Object.fromEntries(Array.from({ length: 501 }, (_, index) => [`p${index}`, { url: 'http://localhost/mcp' }]));
    assert.throws(() => parseRegistryDocument(JSON.stringify({ proxies }), 'p.json'), /^Error: p\.json has 501 proxies, more than the limit of 500: remove some\.$/);
  });

  it("reads the tutorial's array form and refuses duplicate names", () => {
    const document = parseRegistryDocument('{"proxies":[{"name":"a","url":"http://x/mcp"},{"name":"b","command":"node"}]}', 'p.json');
    assert.equal(document.format, 'array');
    assert.deepEqual(Object.keys(document.registry), ['a', 'b']);
    assert.throws(
      () => parseRegistryDocument('{"proxies":[{"name":"a","url":"http://x"},{"name":"a","url":"http://y"}]}', 'p.json'),
      /the name "a" is used twice/,
    );
  });

  it("reads VS Code's mcp.json with comments, trailing commas and type", () => {
    const text = `{
      // my servers
      "servers": {
        "git hub": { "type": "http", "url": "https://api.example.com/mcp", "headers": { "A": "b" }, },
        "fs": { "type": "stdio", "command": "npx", "args": ["-y", "fs"] },
        "broken": { "type": "stdio" },
      },
      "inputs": []
    }`;
    const document = parseRegistryDocument(text, 'mcp.json');
    assert.equal(document.format, 'vscode');
    assert.deepEqual(document.registry['git-hub'], { transport: 'http', url: 'https://api.example.com/mcp', headers: { A: 'b' } });
    assert.deepEqual(document.registry.fs, { transport: 'stdio', command: 'npx', args: ['-y', 'fs'] });
    assert.match(document.notes.join('\n'), /"git hub" was renamed "git-hub"/);
    assert.match(document.notes.join('\n'), /"broken" was skipped/);
  });

  it("reads Claude Desktop's config", () => {
    const document = parseRegistryDocument('{"mcpServers":{"memory":{"command":"npx","args":["-y","@mcp/memory"],"env":{"K":"v"}}}}', 'c.json');
    assert.equal(document.format, 'claude');
    assert.deepEqual(document.registry.memory, { command: 'npx', args: ['-y', '@mcp/memory'], env: { K: 'v' } });
  });

  it('says what is wrong with a corrupt or foreign file', () => {
    assert.throws(() => parseRegistryDocument('{"proxies": {', 'p.json'), /p\.json is not valid JSON .*it was not changed/);
    assert.throws(() => parseRegistryDocument('[]', 'p.json'), /must hold a JSON object/);
    assert.throws(() => parseRegistryDocument('{"other":1}', 'p.json'), /no "proxies", "servers" or "mcpServers"/);
    assert.throws(() => parseRegistryDocument('{"proxies":{"bad name":{"url":"http://x"}}}', 'p.json'), /p\.json: "bad name" is not a valid proxy name/);
  });

  it('writes the switchboard format, and reads back what it wrote', () => {
    const registry = { a: { url: 'http://x/mcp' }, b: { command: 'node', args: ['s.js'] } };
    assert.deepEqual(parseRegistryDocument(serializeRegistry(registry), 'p.json').registry, registry);
  });
});
