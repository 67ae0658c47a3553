import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/core/logger';
import { RegistryFile } from '../../src/core/registry/registryFile';

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
    await file.watch(
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
  it('writes through a symbolic link to the real file, in its own folder, and keeps the link', async () => {
    const real = join(folder, 'elsewhere', 'real.json');
    mkdirSync(join(folder, 'elsewhere'));
    writeFileSync(real, '{"proxies":{}}');
    const link = join(folder, 'proxies.json');
    symlinkSync(real, link);
    await new RegistryFile(link, quiet).update((registry) => ({ ...registry, a: { url: 'http://localhost/a' } }));
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.equal(readlinkSync(link), real);
    assert.match(readFileSync(real, 'utf8'), /"a"/);
    assert.deepEqual(readdirSync(join(folder, 'elsewhere')), ['real.json'], 'no temporary file left beside the real one');
  });

  it("keeps the file's mode, and creates new files for their owner only", async () => {
    for (const mode of [0o600, 0o640, 0o664]) {
      const path = join(folder, `mode-${mode.toString(8)}.json`);
      writeFileSync(path, '{"proxies":{}}');
      chmodSync(path, mode);
      await new RegistryFile(path, quiet).update((registry) => ({ ...registry, a: { url: 'http://localhost/a' } }));
      assert.equal(statSync(path).mode & 0o777, mode, `mode ${mode.toString(8)}`);
    }
    const created = join(folder, 'new.json');
    await new RegistryFile(created, quiet).load();
    assert.equal(statSync(created).mode & 0o777, 0o600);
  });

  it('refuses to change a file the user made read-only, naming it', async () => {
    const path = join(folder, 'proxies.json');
    writeFileSync(path, '{"proxies":{}}');
    chmodSync(path, 0o444);
    await assert.rejects(
      new RegistryFile(path, quiet).update((registry) => ({ ...registry, a: { url: 'http://localhost/a' } })),
      (error: Error) => error.message === `${path} is read-only (mode 0444), so the switchboard does not change it. Make it writable to save changes there.`,
    );
    assert.equal(readFileSync(path, 'utf8'), '{"proxies":{}}');
    assert.equal(statSync(path).mode & 0o777, 0o444);
  });

  it('waits a moment for a file that is being written in place before calling it corrupt', async () => {
    const path = join(folder, 'proxies.json');
    writeFileSync(path, '{"proxies": {"half"');
    setTimeout(() => writeFileSync(path, '{"proxies": {"half": {"url": "http://localhost/h"}}}'), 40);
    const registry = await new RegistryFile(path, quiet).update((current) => ({ ...current, more: { url: 'http://localhost/m' } }));
    assert.deepEqual(Object.keys(registry), ['half', 'more']);
  });

  it('says in words when the path is a folder, and when the file is over the size limit', async () => {
    const path = join(folder, 'proxies.json');
    mkdirSync(path);
    await assert.rejects(new RegistryFile(path, quiet).load(), new RegExp(`^Error: ${escape(path)} is a folder, not a file: point --config at a proxies.json, or move the folder away\\.$`));
    rmSync(path, { recursive: true });
    writeFileSync(path, `{"proxies":{},"padding":"${'x'.repeat(1024 * 1024)}"}`);
    await assert.rejects(new RegistryFile(path, quiet).load(), /proxies\.json is 1,048,603 bytes, over the limit of 1 MiB for a registry file; it was not read\.$/);
  });

  it('reports once, in words, when the watched file is replaced by a folder', async () => {
    const path = join(folder, 'proxies.json');
    const file = new RegistryFile(path, quiet);
    await file.load();
    const errors: string[] = [];
    await file.watch(() => undefined, (message) => errors.push(message));
    try {
      rmSync(path);
      mkdirSync(path);
      writeFileSync(join(path, 'inside'), 'x');
      await until(() => errors.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(errors, [`${path} is a folder, not a file: point --config at a proxies.json, or move the folder away.`]);
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
