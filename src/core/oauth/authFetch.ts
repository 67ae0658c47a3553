import { isIP } from 'node:net';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { causeCode, forbiddenAddressRefusal } from '../errors';
import { bareHostname, forbiddenHostKind } from '../registry/agentPolicy';

/** The last OAuth request and how it ended (`status` undefined: no answer), so a failure can name the step. */
export interface AuthRequestRecord {
  readonly url: URL;
  readonly status: number | undefined;
}

/**
 * The fetch the OAuth steps use (discovery, registration, tokens). The URLs
 * come from the server's metadata, so from the network: each must pass
 * `authUrlProblem`, and redirects are not followed, so a server cannot steer
 * a credential anywhere else.
 */
export function guardedAuthFetch(base: FetchLike, loopbackAllowed: boolean, onRequest: (record: AuthRequestRecord) => void): FetchLike {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const problem = authUrlProblem(url, loopbackAllowed);
    if (problem) throw new Error(problem);
    let response: Response;
    try {
      response = await base(input, { ...init, redirect: 'error' });
    } catch (error) {
      onRequest({ url, status: undefined });
      throw new Error(`could not reach ${url.href} (${reachFailure(error)})`, { cause: error });
    }
    onRequest({ url, status: response.status });
    return response;
  };
}

/**
 * Why the switchboard will not send an OAuth request to (or open in the
 * browser) a URL, or undefined when it will: https only, or plain http to
 * this machine; this machine only for a proxy that is on it (a remote
 * server's metadata must not aim the switchboard at local services); never a
 * link-local or cloud-metadata host. `what` names the URL in the sentence.
 */
export function authUrlProblem(url: URL, loopbackAllowed: boolean, what = "The authorization server's"): string | undefined {
  const kind = forbiddenHostKind(bareHostname(url));
  if (kind) return `${what} ${url.href} is ${kind}: refused.`;
  const loopback = isLoopbackUrl(url);
  if (loopback && !loopbackAllowed) return `${what} ${url.href} points at this machine, though the server is not on it: refused.`;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return `${what} ${url.href} is not https: the switchboard sends credentials only over https (or to loopback).`;
  }
  return undefined;
}

/** Whether a URL names this machine by one of its literal names (not by any name that a resolver might send elsewhere). */
export function isLoopbackUrl(url: URL): boolean {
  const host = bareHostname(url).toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Where a token may be sent: https, or plain http to this machine. */
export function isTokenSafeUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url));
}

/** Why a fetch did not get an answer, in a few words: the system's error code where there is one. */
function reachFailure(error: unknown): string {
  const refused = forbiddenAddressRefusal(error);
  if (refused) return refused;
  const code = causeCode(error);
  if (code !== undefined) return code;
  const cause = error instanceof Error ? (error.cause as { message?: unknown } | undefined) : undefined;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
