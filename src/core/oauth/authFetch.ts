import { isIP } from 'node:net';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { forbiddenHostKind } from '../agentPolicy';

/**
 * The fetch the OAuth steps use (discovery, registration, tokens). The URLs
 * come from the server's metadata, so from the network: each must be https
 * (or loopback) and no link-local or cloud-metadata host, and redirects are
 * not followed, so a server cannot steer a credential anywhere else.
 */
export function guardedAuthFetch(base: FetchLike, onRequest: (url: URL, response: Response | undefined) => void = () => undefined): FetchLike {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const problem = authUrlProblem(url);
    if (problem) throw new Error(problem);
    let response: Response;
    try {
      response = await base(input, { ...init, redirect: 'error' });
    } catch (error) {
      onRequest(url, undefined);
      throw new Error(`could not reach ${url.href} (${reachFailure(error)})`, { cause: error });
    }
    onRequest(url, response);
    return response;
  };
}

/** Why a fetch did not get an answer, in a few words: the system's error code where there is one. */
function reachFailure(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Why the switchboard will not send an OAuth request to a URL, or undefined when it will. */
export function authUrlProblem(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const kind = forbiddenHostKind(host);
  if (kind) return `The authorization server's ${url.href} is ${kind}: refused.`;
  if (url.protocol !== 'https:' && !isLoopbackUrl(url)) {
    return `The authorization server's ${url.href} is not https: the switchboard sends credentials only over https (or to loopback).`;
  }
  return undefined;
}

/** Whether a URL points at this machine. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
