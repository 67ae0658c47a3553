import assert from 'node:assert/strict';
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SAFE_ENVIRONMENT_NAMES, stdioParameters } from '../../src/core/backends/backendProcess';
import { EarlyStarts } from '../../src/core/backends/earlyStarts';
import { processesWith } from '../server/harness';

describe('backends started early', () => {
  it('inherit the same safe environment names as the SDK gives its stdio clients', () => {
    assert.deepEqual([...SAFE_ENVIRONMENT_NAMES], [...DEFAULT_INHERITED_ENV_VARS]);
    const parameters = stdioParameters({ command: 'node', env: { EXTRA: '1' } });
    assert.equal(parameters.env.EXTRA, '1');
    assert.equal(parameters.env.PATH, process.env.PATH);
    assert.ok(Object.keys(parameters.env).every((name) => name === 'EXTRA' || SAFE_ENVIRONMENT_NAMES.includes(name)));
  });

  it('are taken over only by a start with the very same parameters, once, and the rest are ended', async () => {
    const early = new EarlyStarts();
    const parameters = stdioParameters({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] });
    early.start(parameters);
    early.start(stdioParameters({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60001)'] }));
    assert.equal(early.take({ ...parameters, args: ['-e', 'other'] }), undefined);
    const taken = early.take({ ...parameters, env: { ...parameters.env } });
    assert.ok(taken, 'the same parameters, in another object, find it');
    await taken.started;
    assert.equal(early.take(parameters), undefined, 'taken once');
    early.dispose();
    taken.child.kill('SIGKILL');
    await taken.closed;
  });

  it('end what nobody took', async () => {
    const marker = `early-start-${process.pid}`;
    const early = new EarlyStarts();
    early.start(stdioParameters({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)', marker] }));
    await until(() => processesWith(marker).length === 1);
    early.dispose();
    await until(() => processesWith(marker).length === 0);
  });
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
