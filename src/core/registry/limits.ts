/**
 * What a registry may hold. A registry is written by hand or by the agent, so
 * it may be absurd by mistake or on purpose: these keep a file from taking
 * the switchboard's memory, and keep out entries that could never run.
 * Each is far above what real registries use (a hundred proxies fit in 30 kB).
 */

/** Largest registry file read: 1 MiB. */
export const MAX_REGISTRY_FILE_BYTES = 1024 * 1024;
/** Most proxies in one registry. */
export const MAX_PROXIES = 500;
/** Largest entry, as JSON: 64 KiB. */
export const MAX_ENTRY_BYTES = 64 * 1024;
/**
 * Most characters in a command proxy's command, arguments and environment
 * together (`KEY=VALUE` each): under Windows' 32,767-character limits on a
 * command line and an environment block, and Linux's 128 KiB per argument.
 */
export const MAX_COMMAND_CHARACTERS = 32_000;

/** How long a session's first list waits, by default and at most, for proxies making their first connection. */
export const DEFAULT_FIRST_LIST_GRACE_MS = 2_000;
export const MAX_FIRST_LIST_GRACE_MS = 2_000;

/** "1 MiB", "64 KiB": a byte limit as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** "501 proxies, more than the limit of 500" when a registry of `count` proxies is too big, or undefined. */
export function proxyCountProblem(count: number): string | undefined {
  return count > MAX_PROXIES ? `${count} proxies, more than the limit of ${MAX_PROXIES}` : undefined;
}
