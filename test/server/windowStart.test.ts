/**
 * How a VS Code window starts the user's shared switchboard when none runs
 * (src/extension/server/startUserSwitchboard.ts), with the real CLI: two
 * windows at once get one switchboard, and one that cannot start says why.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { isAlive } from '../../src/core/user/discovery';
import { userFiles } from '../../src/core/user/userFiles';
import { startUserSwitchboard, SwitchboardNotStarted } from '../../src/extension/server/startUserSwitchboard';
import { CLI, eventually, freePort, temporaryFolder } from './harness';

describe('A window starts the user’s shared switchboard', function () {
  this.timeout(60_000);
  let folder: ReturnType<typeof temporaryFolder>;
  let env: NodeJS.ProcessEnv;
  let settings: string;
  const started = new Set<number>();

  beforeEach(() => {
    folder = temporaryFolder();
    env = { ...process.env, XDG_CONFIG_HOME: join(folder.path, 'config'), XDG_RUNTIME_DIR: join(folder.path, 'run') };
    settings = join(folder.path, 'settings.json');
    writeFileSync(settings, '{ "mcpSwitchboard.proxies": {} }\n');
  });

  afterEach(async () => {
    for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGTERM');
    await eventually('the switchboards started to end', () => [...started].every((pid) => !isAlive(pid)));
    started.clear();
    folder.remove();
  });

  const start = (port: number) => startUserSwitchboard({ node: process.execPath, cli: CLI, settings, port, env, files: userFiles(env) });

  it('runs one switchboard for two windows that start it at the same moment: the port is the lock', async () => {
    const port = await freePort();
    const [first, second] = await Promise.all([start(port), start(port)]);
    started.add(first.pid);
    started.add(second.pid);
    assert.equal(first.pid, second.pid);
    assert.equal(first.url, `http://127.0.0.1:${port}/mcp`);
    assert.equal(first.config, settings);
    assert.ok(first.token.length >= 32);
    // Detached: its own session, so closing the window that started it does not end it.
    assert.notEqual(first.pid, process.pid);
  });

  it('says why it could not start, in the switchboard’s own words, at once', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      const began = Date.now();
      await assert.rejects(start(port), (error: unknown) => error instanceof SwitchboardNotStarted && /port \d+ on 127\.0\.0\.1 is taken by another program: set mcpSwitchboard\.port to a free port\./.test(error.message));
      assert.ok(Date.now() - began < 10_000, 'not the 15 s wait');
    } finally {
      taken.close();
    }
  });
});
