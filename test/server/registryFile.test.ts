/**
 * The registry file as the built CLI keeps it, with real files: a write keeps
 * the file's identity (link, mode, read-only), names that JavaScript objects
 * reserve are refused rather than lost, limits are said and kept, and the
 * messages say what is wrong in words.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { eventually, listProxies, type RunningSwitchboard, startSwitchboard, temporaryFolder, text } from './harness';

const URL_ENTRY = { url: 'http://127.0.0.1:9/mcp', enabled: false };

async function addProxy(client: Client, args: Record<string, unknown>): Promise<{ ok: boolean; text: string }> {
  const result = await client.callTool({ name: 'add_proxy', arguments: args });
  return { ok: result.isError !== true, text: text(result) };
}

/** Resident memory of a process, in MB. */
function residentMegabytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) / 1024;
}

describe('the registry file, kept by the CLI', function () {
  this.timeout(30_000);
  let switchboard: RunningSwitchboard | undefined;
  afterEach(async () => {
    await switchboard?.stop();
    switchboard = undefined;
  });

  it('writes through a symbolic link to its target, which keeps getting the changes', async () => {
    const folder = temporaryFolder();
    after(folder.remove);
    const real = join(folder.path, 'dotfiles', 'proxies.json');
    mkdirSync(dirname(real));
    writeFileSync(real, JSON.stringify({ proxies: {} }));
    const link = join(folder.path, 'linked.json');
    symlinkSync(real, link);
    switchboard = await startSwitchboard({}, ['--config', link]);
    const client = await switchboard.connect();
    assert.ok((await addProxy(client, { name: 'one', url: 'http://127.0.0.1:9/mcp' })).ok);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), real);
    assert.deepEqual(Object.keys((JSON.parse(readFileSync(real, 'utf8')) as { proxies: object }).proxies), ['one']);
    // A hand edit of the real file still reaches the switchboard.
    writeFileSync(real, JSON.stringify({ proxies: { one: URL_ENTRY, two: URL_ENTRY } }));
    await eventually('the hand edit of the link target to apply', async () => (await listProxies(client)).length === 2 || undefined);
  });

  it("keeps a 0600 file's mode, and refuses a read-only file with a one-line error naming it", async () => {
    switchboard = await startSwitchboard({});
    chmodSync(switchboard.configPath, 0o600);
    const client = await switchboard.connect();
    assert.ok((await addProxy(client, { name: 'one', url: 'http://127.0.0.1:9/mcp' })).ok);
    assert.equal(statSync(switchboard.configPath).mode & 0o777, 0o600);
    chmodSync(switchboard.configPath, 0o444);
    const before = readFileSync(switchboard.configPath, 'utf8');
    const refused = await addProxy(client, { name: 'two', url: 'http://127.0.0.1:9/mcp' });
    assert.equal(refused.ok, false);
    assert.equal(
      refused.text,
      `Proxy "two" was not added: ${switchboard.configPath} is read-only (mode 0444), so the switchboard does not change it. Make it writable to save changes there.`,
    );
    assert.equal(readFileSync(switchboard.configPath, 'utf8'), before);
    assert.equal(statSync(switchboard.configPath).mode & 0o777, 0o444);
  });

  it('refuses __proto__, constructor and prototype, and keeps names like toString through later changes', async () => {
    switchboard = await startSwitchboard({});
    const client = await switchboard.connect();
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const refused = await addProxy(client, { name, url: 'http://127.0.0.1:9/mcp' });
      assert.equal(refused.ok, false, name);
      assert.match(refused.text, new RegExp(`"${name}" is reserved`));
    }
    assert.ok((await addProxy(client, { name: 'toString', url: 'http://127.0.0.1:9/mcp' })).ok);
    assert.ok((await addProxy(client, { name: 'valueOf', url: 'http://127.0.0.1:9/mcp' })).ok);
    assert.ok((await addProxy(client, { name: 'later', url: 'http://127.0.0.1:9/mcp' })).ok);
    assert.deepEqual((await listProxies(client)).map((proxy) => proxy.name), ['toString', 'valueOf', 'later']);
    assert.deepEqual(Object.keys((JSON.parse(readFileSync(switchboard.configPath, 'utf8')) as { proxies: object }).proxies), ['toString', 'valueOf', 'later']);
    const removed = await client.callTool({ name: 'remove_proxy', arguments: { name: 'toString' } });
    assert.notEqual(removed.isError, true, text(removed));
    assert.deepEqual((await listProxies(client)).map((proxy) => proxy.name), ['valueOf', 'later']);
  });

  it('refuses an entry over the limits before saving it, and says the limit', async () => {
    switchboard = await startSwitchboard({}, ['--allow-agent-commands']);
    const client = await switchboard.connect();
    const before = readFileSync(switchboard.configPath, 'utf8');
    const huge = await addProxy(client, { name: 'huge', command: process.execPath, args: ['x'.repeat(5 * 1024 * 1024)] });
    assert.equal(huge.ok, false);
    assert.match(huge.text, /over the limit of 64 KiB/);
    const long = await addProxy(client, { name: 'long', command: process.execPath, args: Array.from({ length: 50 }, () => 'y'.repeat(1000)) });
    assert.match(long.text, /over the limit of 32,000 \(what every system can start\)/);
    assert.equal(readFileSync(switchboard.configPath, 'utf8'), before);
    assert.deepEqual(await listProxies(client), []);
  });

  it('does not read a 50 MB registry file, says why, and stays small', async () => {
    const proxies: Record<string, unknown> = {};
    const padding = 'p'.repeat(110 * 1024);
    for (let index = 0; index < 500; index++) proxies[`p${index}`] = { url: `http://127.0.0.1:9/${padding}`, enabled: false };
    switchboard = await startSwitchboard(JSON.stringify({ proxies }));
    assert.ok(statSync(switchboard.configPath).size > 50 * 1024 * 1024);
    const running = switchboard;
    await eventually('the size refusal', () => /bytes, over the limit of 1 MiB for a registry file; it was not read\. Starting with no proxies/.test(running.stderr()) || undefined);
    const pid = switchboard.process.pid ?? 0;
    assert.ok(residentMegabytes(pid) < 150, `resident memory ${residentMegabytes(pid)} MB`);
  });

  it('reads a file that starts with a byte order mark', async () => {
    switchboard = await startSwitchboard(`\uFEFF${JSON.stringify({ proxies: { bom: URL_ENTRY } })}`);
    const client = await switchboard.connect();
    assert.deepEqual((await listProxies(client)).map((proxy) => proxy.name), ['bom']);
  });

  it('does not call a file corrupt while a hand edit writes it in place, during twenty concurrent adds', async () => {
    switchboard = await startSwitchboard({});
    const client = await switchboard.connect();
    const path = switchboard.configPath;
    const edit = JSON.stringify({ proxies: { hand: URL_ENTRY } }, null, 2);
    const handEdits = (async () => {
      for (let round = 0; round < 3; round++) {
        writeFileSync(path, edit.slice(0, 10)); // an editor that truncates, then writes in two goes
        await new Promise((resolve) => setTimeout(resolve, 30));
        appendFileSync(path, edit.slice(10));
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => addProxy(client, { name: `p${index}`, url: 'http://127.0.0.1:9/mcp' })));
    await handEdits;
    for (const answer of answers) assert.doesNotMatch(answer.text, /not valid JSON/);
  });

  it('says in words when the registry is replaced by a folder', async () => {
    switchboard = await startSwitchboard({});
    const client = await switchboard.connect();
    rmSync(switchboard.configPath);
    mkdirSync(switchboard.configPath);
    const running = switchboard;
    const folderMessage = `${switchboard.configPath} is a folder, not a file: point --config at a proxies.json, or move the folder away.`;
    await eventually('the log to say the registry is a folder', () => running.stderr().includes(`[error] ${folderMessage} Keeping the last good registry.`) || undefined);
    const refused = await addProxy(client, { name: 'x', url: 'http://127.0.0.1:9/mcp' });
    assert.equal(refused.text, `Proxy "x" was not added: ${folderMessage}`);
    rmSync(switchboard.configPath, { recursive: true });
  });
});
