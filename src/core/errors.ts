import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * An error to send to the client as a JSON-RPC error with exactly this code,
 * message and data (the SDK sends a thrown error's `code`, `message` and `data`).
 */
export class ProxiedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const SDK_PREFIX = /^MCP error -?\d+: /;

/**
 * Wraps what a backend request failed with: a protocol error keeps its code,
 * data and message, prefixed with the proxy's name; anything else (timeout,
 * dropped connection) becomes an internal error that names the proxy.
 */
export function proxyError(proxy: string, error: unknown): ProxiedError {
  if (error instanceof McpError) {
    const message = error.message.replace(SDK_PREFIX, '');
    if (error.code === ErrorCode.RequestTimeout) {
      return new ProxiedError(error.code, `${proxy}: the proxy did not answer in time (${message}).`, error.data);
    }
    return new ProxiedError(error.code, `${proxy}: ${message}`, error.data);
  }
  return new ProxiedError(ErrorCode.InternalError, `${proxy}: ${failureText(error)}`);
}

/**
 * The text of what a connection or request failed with. The SDK leaves an
 * HTTP backend's status code out of its message ("Error POSTing to endpoint:
 * boom"); it is put back, since "500" or "401" is what tells the user where to look.
 */
export function failureText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const refused = forbiddenAddressRefusal(error);
  if (refused) return refused;
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) {
    return `${error.message.replace(/^Streamable HTTP error: /, '')} (HTTP ${error.code})`;
  }
  return error.message;
}

/** An error for a request the client got wrong (unknown tool, prompt, resource…). */
export function invalidParams(message: string): ProxiedError {
  return new ProxiedError(ErrorCode.InvalidParams, message);
}

/** The error code of a connection refused because its host name resolved to a forbidden address (see guardedFetch.ts). */
export const FORBIDDEN_ADDRESS = 'EFORBIDDENADDRESS';

/** The sentence of such a refusal, wherever it sits in an error's causes (a fetch reports it as its cause). */
export function forbiddenAddressRefusal(error: unknown): string | undefined {
  return findCause(error, (candidate): candidate is Error => (candidate as NodeJS.ErrnoException).code === FORBIDDEN_ADDRESS)?.message;
}

/** The first of an error and the errors it wraps (its `cause`, a few levels down: the SDK and fetch wrap what they met) that `matches`. */
export function findCause<T extends Error>(error: unknown, matches: (candidate: Error) => candidate is T): T | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (matches(current)) return current;
  }
  return undefined;
}

/** The system error code a failed fetch puts on its cause (ECONNREFUSED…), if any. */
export function causeCode(error: unknown): string | undefined {
  const code = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' ? code : undefined;
}
