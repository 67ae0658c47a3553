import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../src/server/shared/fileLock';

describe('the lock processes take from each other (a token refresh)', () => {
  let folder: string;
  beforeEach(() => {
    folder = join(mkdtempSync(join(tmpdir(), 'switchboard-lock-')), 'locks');
  });
  afterEach(() => rmSync(join(folder, '..'), { recursive: true, force: true }));

  it('runs work of one name one at a time, in a folder only the user can list, and leaves no lock behind', async () => {
    const events: string[] = [];
    const work = (name: string) => async () => {
      events.push(`${name} starts`);
      await new Promise((wait) => setTimeout(wait, 100));
      events.push(`${name} ends`);
      return name;
    };
    assert.deepEqual(await Promise.all([withFileLock(folder, 'refresh-a', work('first')), withFileLock(folder, 'refresh-a', work('second'))]), ['first', 'second']);
    assert.deepEqual(events, ['first starts', 'first ends', 'second starts', 'second ends']);
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    assert.equal(existsSync(join(folder, 'refresh-a.lock')), false);
  });

  it('takes over a lock whose holder died, and lets work of another name run beside it', async () => {
    await withFileLock(folder, 'warm-up', async () => undefined); // Creates the folder.
    writeFileSync(join(folder, 'refresh-b.lock'), '999999999'); // No such process.
    const started = Date.now();
    assert.equal(await withFileLock(folder, 'refresh-b', async () => 'taken over'), 'taken over');
    assert.ok(Date.now() - started < 1_000);
    let inner = '';
    await withFileLock(folder, 'refresh-c', async () => {
      inner = await withFileLock(folder, 'refresh-d', async () => 'beside');
    });
    assert.equal(inner, 'beside');
  });

  it('releases the lock when the work fails', async () => {
    await assert.rejects(withFileLock(folder, 'refresh-e', async () => Promise.reject(new Error('refused'))), /refused/);
    assert.equal(existsSync(join(folder, 'refresh-e.lock')), false);
  });
});
