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
  return new ProxiedError(ErrorCode.InternalError, `${proxy}: ${error instanceof Error ? error.message : String(error)}`);
}

/** An error for a request the client got wrong (unknown tool, prompt, resource…). */
export function invalidParams(message: string): ProxiedError {
  return new ProxiedError(ErrorCode.InvalidParams, message);
}
