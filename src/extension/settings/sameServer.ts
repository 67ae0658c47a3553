import type { ProxyEntry } from '../../core/registry/registry';

/** What makes two entries the same MCP server: the URL they reach, or the command line they run. */
export type SameServerReason = 'url' | 'command';

/**
 * Whether two entries reach the same MCP server, whatever their names,
 * prefixes, filters or headers: the same URL, or the same command with the
 * same arguments. Import uses it to notice a server that is already a proxy.
 */
export function sameServer(a: ProxyEntry, b: ProxyEntry): SameServerReason | undefined {
  if (a.url !== undefined && b.url !== undefined) return comparableUrl(a.url) === comparableUrl(b.url) ? 'url' : undefined;
  if (a.command !== undefined && b.command !== undefined) {
    const argsA = a.args ?? [];
    const argsB = b.args ?? [];
    const same = a.command === b.command && argsA.length === argsB.length && argsA.every((argument, index) => argument === argsB[index]);
    return same ? 'command' : undefined;
  }
  return undefined;
}

/** The URL as a server sees it: scheme and host in lower case, the default port and a trailing slash dropped. */
function comparableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    const path = parsed.pathname.replace(/\/+$/, '');
    return `${parsed.protocol}//${parsed.host}${path}${parsed.search}`;
  } catch {
    // A URL with unexpanded ${…} variables may not parse: then only the same text is the same server.
    return url;
  }
}

/** The reason in words, for messages: "the same URL as", "the same command as". */
export function sameServerWords(reason: SameServerReason): string {
  return reason === 'url' ? 'the same URL as' : 'the same command and arguments as';
}
