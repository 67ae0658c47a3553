import { createHash, randomBytes } from 'node:crypto';

/** How many base64url characters of the hash make a window's id: 132 bits, unique enough among one user's windows. */
const ID_LENGTH = 22;

/**
 * The id this window gives the shared switchboard: a hash of its workspace
 * (the .code-workspace file, else the first folder), so a reloaded window
 * finds its view and its workspace proxies still running; a random one for
 * an empty window, which has nothing to find again.
 */
export function windowIdOf(workspace: string | undefined): string {
  if (workspace === undefined) return randomBytes(16).toString('base64url').slice(0, ID_LENGTH);
  return createHash('sha256').update(workspace).digest('base64url').slice(0, ID_LENGTH);
}
