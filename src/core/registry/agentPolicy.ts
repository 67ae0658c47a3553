import { isIP } from 'node:net';
import type { ProxyEntry } from './registry';

/**
 * What the agent may not propose. Whatever reaches add_proxy may come from a
 * prompt-injected model, so an entry from the agent is hostile input:
 *
 * - No `${…}` anywhere. Expansions are the user's way to pass their
 *   environment, secrets and home folder to a backend; in an entry the agent
 *   wrote they would send those wherever it points (a URL path, a header, an
 *   argument), and a user asked to confirm cannot judge the unexpanded text.
 * - No link-local or cloud-metadata hosts: from a cloud machine they hand out
 *   credentials to whoever asks. Loopback and ordinary hosts stay allowed.
 */

/** Why an entry proposed by the agent is refused, in one sentence, or undefined when it may be saved. */
export function agentEntryProblem(entry: ProxyEntry): string | undefined {
  const variable = findVariable(entry, '');
  if (variable) {
    return `${variable.where} contains "${variable.text}": \${…} variables can only be written by the user, in settings or the registry file, not by the agent.`;
  }
  if (entry.url !== undefined) {
    const host = urlHost(entry.url);
    const kind = host === undefined ? undefined : forbiddenHostKind(host);
    if (kind) return `The agent may not add ${entry.url}: ${host} is ${kind}.`;
  }
  return undefined;
}

/**
 * What makes a host name or address (IPv6 without brackets) one the agent may
 * not point at, or undefined when it may. Applied to the URL's host and,
 * before saving, to every address the name resolves to.
 */
export function forbiddenHostKind(host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.+$/, '');
  if (METADATA_NAMES.has(name) || METADATA_NAME_PATTERN.test(name)) return 'a cloud metadata service';
  const address = isIP(name) === 6 ? (embeddedIpv4(name) ?? name) : name;
  if (METADATA_ADDRESSES.has(address)) return 'a cloud metadata service';
  if (isIP(address) === 4 && address.startsWith('169.254.')) return 'a link-local address (169.254.0.0/16, where cloud metadata services answer)';
  if (isIP(address) === 6 && isLinkLocalIpv6(address)) return 'a link-local address (fe80::/10)';
  return undefined;
}

/** The host part of a URL text as `forbiddenHostKind` takes it, or undefined when it does not parse. */
function urlHost(url: string): string | undefined {
  try {
    return bareHostname(new URL(url));
  } catch {
    return undefined;
  }
}

/** A URL's host as `forbiddenHostKind` takes it: an IPv6 literal without its brackets. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

const METADATA_NAMES = new Set(['metadata', 'metadata.goog', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);
/** Names cloud providers give their metadata services inside a VPC: `metadata.<…>.internal`, `instance-data.<…>.internal`. */
const METADATA_NAME_PATTERN = /^(metadata|instance-data)(\.[a-z0-9-]+)*\.internal$/;
/** Metadata services outside 169.254.0.0/16: AWS's IPv6 one, Alibaba Cloud's, Oracle Cloud's legacy one. */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200', '192.0.0.192']);

function isLinkLocalIpv6(address: string): boolean {
  const first = Number.parseInt(address.split(':', 1)[0] || '0', 16);
  return (first & 0xffc0) === 0xfe80;
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(address);
  if (!match) return undefined;
  if (match[1]) return match[1];
  const high = Number.parseInt(match[2] ?? '0', 16);
  const low = Number.parseInt(match[3] ?? '0', 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The first `${` in any key or string of a value, with where it is (`args[2]`, `headers.Authorization`). */
function findVariable(value: unknown, path: string): { where: string; text: string } | undefined {
  if (typeof value === 'string') {
    const start = value.indexOf('${');
    if (start === -1) return undefined;
    const end = value.indexOf('}', start);
    return { where: path, text: value.slice(start, end === -1 ? undefined : end + 1) };
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findVariable(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const where = path === '' ? key : `${path}.${key}`;
      const found = findVariable(key, `the name of ${where}`) ?? findVariable(item, where);
      if (found) return found;
    }
  }
  return undefined;
}

/** Resolves a host name to its addresses; injected so tests never ask a real resolver. */
export type HostLookup = (host: string) => Promise<readonly string[]>;

/** How long add_proxy waits for a name to resolve before saving without the check (the connection would fail anyway). */
const LOOKUP_TIMEOUT_MS = 3_000;

/**
 * Why the agent may not add this URL once its host name is resolved (a name
 * such as `169.254.169.254.nip.io` points at a metadata service too), or
 * undefined. Asks only the resolver, never the host.
 */
export async function resolvedHostProblem(url: string, lookup: HostLookup): Promise<string | undefined> {
  const host = urlHost(url);
  if (host === undefined || isIP(host) !== 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<readonly string[]>((resolve) => (timer = setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS)));
  const addresses = await Promise.race([lookup(host).catch(() => [] as readonly string[]), timeout]).finally(() => clearTimeout(timer));
  for (const address of addresses) {
    const kind = forbiddenHostKind(address);
    if (kind) return `The agent may not add ${url}: ${host} resolves to ${address}, ${kind}.`;
  }
  return undefined;
}
