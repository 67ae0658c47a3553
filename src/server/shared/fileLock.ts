import { open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../../core/user/discovery';
import { ensurePrivateFolder } from '../../core/user/userFiles';

/** How long a process waits for another one's lock before it goes ahead anyway (a lock must not stop the work for good). */
const WAIT_MS = 30_000;
/** A lock older than this is taken to be left over, whatever pid it names (pids are reused). */
const STALE_MS = 60_000;
const POLL_MS = 50;

/**
 * Runs `work` while no other process of this user runs work under the same
 * name: a file created exclusively in the user's private `folder`, holding
 * the holder's pid. A lock whose holder has died, or that is older than a
 * minute, is taken over.
 */
export async function withFileLock<T>(folder: string, name: string, work: () => Promise<T>): Promise<T> {
  await ensurePrivateFolder(folder);
  const path = join(folder, `${name}.lock`);
  const held = await acquire(path);
  try {
    return await work();
  } finally {
    if (held) await release(path);
  }
}

/** Takes the lock; false when the wait ran out and the work goes ahead without it. */
async function acquire(path: string): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(String(process.pid));
      await file.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isLeftOver(path)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) return false;
    await new Promise((wait) => setTimeout(wait, POLL_MS));
  }
}

async function isLeftOver(path: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const pid = Number(text);
    // An empty file is one being written this instant: not left over, unless it stays so.
    if (text === '') return Date.now() - info.mtimeMs > STALE_MS;
    return !Number.isInteger(pid) || !isAlive(pid) || Date.now() - info.mtimeMs > STALE_MS;
  } catch {
    return false; // Gone meanwhile: the next try takes it.
  }
}

/** Removes the lock if it is still this process's (a slow holder's may have been taken over). */
async function release(path: string): Promise<void> {
  const holder = await readFile(path, 'utf8').catch(() => undefined);
  if (holder === String(process.pid)) await unlink(path).catch(() => undefined);
}
