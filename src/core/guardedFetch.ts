import { type LookupAddress, type LookupAllOptions, lookup as systemLookup } from 'node:dns';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { fetch as UndiciFetch } from 'undici';
import { FORBIDDEN_ADDRESS } from './errors';
import { forbiddenHostKind } from './registry/agentPolicy';

/** Resolves a host name to every address it has, as `dns.lookup` with `all: true` does. */
export type Resolver = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for sockets that refuses names resolving to cloud metadata or
 * link-local addresses. The check at add_proxy resolves the name once; a
 * name whose answer changes afterwards (DNS rebinding) would slip past it,
 * so every connection checks the addresses it is about to use. An address
 * written in the URL itself is not looked up: the user who wrote it meant it.
 */
export function guardedLookup(resolve: Resolver = systemLookup as Resolver) {
  return (hostname: string, options: { family?: number; all?: boolean }, callback: (...answer: unknown[]) => void): void => {
    resolve(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses) => {
      if (error) return callback(error);
      for (const { address } of addresses) {
        const kind = forbiddenHostKind(address);
        if (kind === undefined) continue;
        const refused = new Error(`${hostname} resolves to ${address}, ${kind}: the switchboard does not connect there by name. Write the address in the URL if that is the server you mean.`);
        return callback(Object.assign(refused, { code: FORBIDDEN_ADDRESS }));
      }
      const first = addresses[0];
      if (options.all) callback(null, addresses);
      else if (first) callback(null, first.address, first.family);
      else callback(Object.assign(new Error(`${hostname} has no address.`), { code: 'ENOTFOUND' }));
    });
  };
}

/**
 * A fetch whose connections go only where `guardedLookup` lets them; every
 * request a url proxy or its sign-in makes goes through one. undici loads at
 * the first request: it costs some 20 MB, which a switchboard of stdio
 * proxies only need not carry.
 */
export function guardedFetch(resolve?: Resolver): FetchLike {
  let client: Promise<{ fetch: typeof UndiciFetch; dispatcher: unknown }> | undefined;
  return async (input, init) => {
    client ??= import('undici').then(({ Agent, fetch }) => ({ fetch, dispatcher: new Agent({ connect: { lookup: guardedLookup(resolve) as never } }) }));
    const { fetch, dispatcher } = await client;
    return asGlobalResponse(await fetch(input, { ...(init as object), dispatcher: dispatcher as never }));
  };
}

/** Statuses whose responses have no body: a Response made with one and a body throws. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Each platform Response's undici original: undici cancels the body of a
 * response that is collected unread, and the body is shared, so the original
 * lives as long as the one handed on.
 */
const originals = new WeakMap<Response, unknown>();

/**
 * The same answer as the platform's own Response: the undici package has its
 * own class, and the SDK tells an HTTP answer from a parsed one with
 * `instanceof Response`. The body is the same stream, not a copy.
 */
function asGlobalResponse(response: Awaited<ReturnType<typeof UndiciFetch>>): Response {
  if (response.status < 200 || response.status > 599) throw new Error(`${response.url} answered HTTP ${response.status}, which is not a status a response may have.`);
  const body = NULL_BODY_STATUSES.has(response.status) ? null : (response.body as ReadableStream<Uint8Array> | null);
  const headers = [...response.headers];
  let global: Response;
  try {
    global = new Response(body, { status: response.status, statusText: response.statusText, headers });
  } catch {
    // A reason phrase the platform refuses (beyond Latin-1): the status says it all.
    global = new Response(body, { status: response.status, headers });
  }
  // Read-only getters on the prototype: own values stand in for them, as the SDK reads both to judge redirects.
  Object.defineProperties(global, { url: { value: response.url }, redirected: { value: response.redirected } });
  originals.set(global, response);
  return global;
}

/** The one the switchboard uses, with the system's resolver. */
export const connectionFetch: FetchLike = guardedFetch();
