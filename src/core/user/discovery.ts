import { readFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { z } from 'zod';
import { writePrivateFile } from './userFiles';

/** What the running user switchboard says about itself, for `connect` and other local tools. */
const discoverySchema = z.object({
  pid: z.number().int().positive(),
  url: z.url(),
  token: z.string().min(1),
  /** The registry it serves. */
  config: z.string(),
  version: z.string(),
});
export type Discovery = z.infer<typeof discoverySchema>;

/** The discovery file's content, or undefined when there is none or it does not parse (a crash mid-write, an old format). */
export async function readDiscovery(path: string): Promise<Discovery | undefined> {
  try {
    const parsed = discoverySchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeDiscovery(path: string, discovery: Discovery): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(discovery, null, 2)}\n`);
}

/**
 * The discovery file of a live user switchboard other than `exceptPid`, once
 * there is one within `waitMs` (0: now or never). A file that names a dead
 * process counts as none: its successor overwrites it.
 */
export async function liveDiscovery(path: string, waitMs: number, exceptPid?: number): Promise<Discovery | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = await readDiscovery(path);
    if (found && found.pid !== exceptPid && isAlive(found.pid)) return found;
    if (Date.now() >= deadline) return undefined;
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

/** Removes the discovery file if it still names this process (a successor may have written its own). */
export async function removeDiscovery(path: string, pid: number): Promise<void> {
  if ((await readDiscovery(path))?.pid === pid) await unlink(path).catch(() => undefined);
}

/**
 * Whether a process with this pid runs (one of another user's counts: it
 * cannot be signalled, but it is there). A killed process that its parent
 * has not reaped yet is a zombie, which answers signals but serves nothing:
 * on Linux, /proc tells it apart.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // The state follows the command name in parentheses, which may itself contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // No /proc (macOS, Windows), or the process ended meanwhile: signals said it was there.
  }
}
