import { createHash } from 'node:crypto';

/**
 * VS Code names an MCP tool `mcp_<server>_<tool>` and cuts it at 64 characters;
 * with our server name that leaves 46 for the tool's own front name.
 */
export const FRONT_NAME_LIMIT = 46;
const HASH_LENGTH = 6;

/** Replaces characters clients reject in tool and prompt names. */
export function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The name a proxy's tool or prompt gets on the front: `<prefix>_<name>`, sanitized and kept within the limit. */
export function frontName(prefix: string, name: string): string {
  const joined = sanitizeName(prefix === '' ? name : `${prefix}_${name}`);
  return joined.length <= FRONT_NAME_LIMIT ? joined : withHash(joined, '');
}

/** Cuts a name to fit the limit with room for a hash of the whole (and a salt), so different names stay different. */
function withHash(name: string, salt: string): string {
  const hash = createHash('sha256').update(name + salt).digest('hex').slice(0, HASH_LENGTH);
  return `${name.slice(0, FRONT_NAME_LIMIT - HASH_LENGTH - 1)}_${hash}`;
}

/**
 * Makes `candidate` unique among `taken` (two of one proxy's names that sanitize alike):
 * a stable hash suffix, salted until it is free.
 */
export function uniqueWithin(candidate: string, taken: ReadonlySet<string>): string {
  if (!taken.has(candidate)) return candidate;
  for (let salt = 1; ; salt++) {
    const next = withHash(candidate, `#${salt}`);
    if (!taken.has(next)) return next;
  }
}

/**
 * The prefixes to try, in order, for a proxy whose configured prefix clashes
 * with names earlier proxies took: `p`, `p2`, `p3`, … (an empty prefix falls back to the proxy's name).
 */
export function* prefixCandidates(configured: string, proxyName: string): Generator<string> {
  yield configured;
  const base = configured === '' ? proxyName : configured;
  if (configured === '') yield base;
  for (let number = 2; ; number++) yield `${base}${number}`;
}
