import { z } from 'zod';

/**
 * How a VS Code window attaches to the user's shared switchboard: over the
 * socket of `userFiles().windows` (in the user's 0700 runtime folder; a
 * named pipe on Windows), one JSON message per line. The window speaks
 * first, with `hello`; the switchboard answers `ready` with the URL of the
 * window's own view (its user and workspace proxies), or `refused` and
 * closes. From then on both ends speak the messages of `ipc.ts`, exactly as
 * between the extension and the server it forks.
 */

/** A window's id: the same after a reload, so the reloaded window finds its view (and its proxies) still there. */
export const windowIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a window id is 1 to 64 letters, digits, "-" or "_"');

/** Window → switchboard, first and once. */
export const windowHelloSchema = z.object({
  type: z.literal('hello'),
  /** The user switchboard's token: the folder keeps other users out; the token keeps out whoever can open a pipe on Windows. */
  token: z.string().min(1),
  window: windowIdSchema,
  /** The extension's version: a switchboard of another version refuses, and the window runs its own. */
  version: z.string(),
});
export type WindowHello = z.infer<typeof windowHelloSchema>;

/**
 * Switchboard → window, instead of `ready`, just before it closes the socket.
 * `because` tells a window of another version (which runs its own, quietly:
 * the shared one ends when its clients leave, and the next start is the new
 * version) from a hello that is wrong.
 */
export const windowRefusedSchema = z.object({ type: z.literal('refused'), because: z.enum(['hello', 'token', 'version']), reason: z.string() });
export type WindowRefused = z.infer<typeof windowRefusedSchema>;

/** The path of a window's view, under the front's origin. */
export function windowPath(window: string): string {
  return `/w/${window}/mcp`;
}
