import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/core/logger';
import { RegistryFile } from '../../src/core/registryFile';

const quiet = createLogger(() => undefined);

describe('the registry file', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'registry-file-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('creates an empty registry when the file is missing', async () => {
    const file = new RegistryFile(join(folder, 'sub', 'proxies.json'), quiet);
    const document = await file.load();
    assert.deepEqual(document.registry, {});
    assert.ok(existsSync(join(folder, 'sub', 'proxies.json')));
  });

  it('loses nothing when ten changes run at once, and leaves no temp files', async () => {
    const file = new RegistryFile(join(folder, 'proxies.json'), quiet);
    await Promise.all(
      Array.from({ length: 10 }, (_, index) => file.update((registry) => ({ ...registry, [`p${index}`]: { url: `http://localhost/${index}` } }))),
    );
    const document = await file.load();
    assert.equal(Object.keys(document.registry).length, 10);
    assert.deepEqual(readdirSync(folder), ['proxies.json']);
  });

  it('never overwrites a file that does not parse', async () => {
    const path = join(folder, 'proxies.json');
    writeFileSync(path, '{"proxies": {"a": ');
    const file = new RegistryFile(path, quiet);
    await assert.rejects(file.load(), /is not valid JSON/);
    await assert.rejects(file.update((registry) => ({ ...registry, b: { url: 'http://x' } })), /is not valid JSON/);
    assert.equal(readFileSync(path, 'utf8'), '{"proxies": {"a": ');
  });

  it("refuses to write another program's config", async () => {
    const path = join(folder, 'claude_desktop_config.json');
    const original = '{"mcpServers":{"m":{"command":"npx"}}}';
    writeFileSync(path, original);
    const file = new RegistryFile(path, quiet);
    await assert.rejects(file.update((registry) => registry), /Claude Desktop's config, which the switchboard only reads/);
    assert.equal(readFileSync(path, 'utf8'), original);
  });

  it('reports hand edits, and edits that do not parse', async () => {
    const path = join(folder, 'proxies.json');
    const file = new RegistryFile(path, quiet);
    await file.load();
    const changes: string[][] = [];
    const errors: string[] = [];
    file.watch(
      (document) => changes.push(Object.keys(document.registry)),
      (message) => errors.push(message),
    );
    try {
      writeFileSync(path, '{"proxies":{"edited":{"url":"http://x/mcp"}}}');
      await until(() => changes.length === 1);
      assert.deepEqual(changes[0], ['edited']);
      writeFileSync(path, '{ nope');
      await until(() => errors.length === 1);
      assert.match(errors[0] ?? '', /not valid JSON/);
    } finally {
      file.dispose();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
