import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJsonRpcMessage } from '../../core/jsonLines';
import type { Logger } from '../../core/logger';
import { windowPath } from '../../core/user/windowChannel';
import { type HttpSessionOptions, HttpSessionTransport } from './httpSession';

/** The path the front serves MCP on. */
export const MCP_PATH = '/mcp';
/** Largest request body accepted: generous, because tool arguments can carry files. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** A session whose client sent nothing for this long, and holds no stream, is closed. */
const IDLE_SESSION_MS = 60 * 60 * 1000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface HttpFrontOptions {
  readonly host: string;
  readonly port: number;
  /** Required as `Authorization: Bearer <token>`; undefined turns authentication off. */
  readonly token: string | undefined;
  readonly logger: Logger;
  /**
   * Connects a new session's MCP server to its transport, for the profile its
   * path names (`/mcp/<profile>`) and the VS Code window's view it names
   * (`/w/<window>/mcp…`; undefined: the switchboard's own).
   */
  readonly openSession: (transport: HttpSessionTransport, profile: string | undefined, view: string | undefined) => Promise<void>;
  /** The profiles of a view (undefined: its own), read at each request so a registry edit applies at once. */
  readonly profiles?: (view: string | undefined) => readonly string[];
  /** Whether a window's view is served at `/w/<window>/mcp` (only the user's switchboard has such views). */
  readonly hasView?: (view: string) => boolean;
  /**
   * Close a call's event stream after this long without an event, so that a
   * 2025-11-25 client polls it with Last-Event-ID. Off by default: on
   * loopback an open stream costs nothing, and not every client resumes a
   * POST's stream (VS Code 1.139 does not; it sends no MCP-Protocol-Version
   * header, so it is never polled).
   */
  readonly pollAfterQuietMs?: number;
  /** Told how many requests are open whenever that changes (an idle switchboard may end). */
  readonly onOpenRequests?: (count: number) => void;
}

export interface HttpFront {
  readonly url: string;
  /** Takes a new bearer token (Rotate Token): requests with the old one are refused from now on. */
  setToken(token: string): void;
  close(): Promise<void>;
}

/**
 * The Streamable HTTP front: stateful sessions at /mcp, behind a bearer token
 * and a Host/Origin check that defeats DNS rebinding (a web page cannot make
 * the browser send a loopback Host or Origin for its own domain).
 */
export async function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const sessions = new Map<string, HttpSessionTransport>();
  /** The path each session was opened at: its view and profile. */
  const sessionPaths = new WeakMap<HttpSessionTransport, string>();
  const allowedHosts = new Set([...LOOPBACK_HOSTS, options.host.toLowerCase()]);
  let expectedAuthorization = options.token === undefined ? undefined : Buffer.from(`Bearer ${options.token}`);
  const sessionOptions: HttpSessionOptions = { pollAfterQuietMs: options.pollAfterQuietMs };

  let openRequests = 0;
  const server = http.createServer((request, response) => {
    if (options.onOpenRequests) {
      options.onOpenRequests(++openRequests);
      response.once('close', () => options.onOpenRequests?.(--openRequests));
    }
    handle(request, response).catch((error: unknown) => {
      options.logger.error(`HTTP front: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendError(response, 500, -32603, 'Internal error in the switchboard; see its log.');
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '';
    const route = /^(?:\/w\/([A-Za-z0-9_-]{1,64}))?\/mcp(?:\/([^/]+))?\/?$/.exec(path);
    if (!route) return sendError(response, 404, -32000, `Not found: MCP is served at ${MCP_PATH} (and a profile at ${MCP_PATH}/<profile>).`);
    const hostProblem = checkHostAndOrigin(request, allowedHosts);
    if (hostProblem) return sendError(response, 403, -32000, hostProblem);
    if (expectedAuthorization && !authorized(request, expectedAuthorization)) {
      response.setHeader('www-authenticate', 'Bearer realm="mcp-switchboard"');
      return sendError(response, 401, -32001, 'Unauthorized: send "Authorization: Bearer <token>" with the token the switchboard printed.');
    }
    const view = route[1];
    if (view !== undefined && !(options.hasView?.(view) ?? false)) {
      return sendError(response, 404, -32000, `Not found: no VS Code window "${view}" is attached to this switchboard; the window's link reattaches by itself.`);
    }
    const profile = route[2] === undefined ? undefined : safeDecode(route[2]);
    if (profile !== undefined && !(options.profiles?.(view) ?? []).includes(profile)) {
      const known = options.profiles?.(view) ?? [];
      const base = pathOf(view, undefined);
      return sendError(
        response,
        404,
        -32000,
        `Unknown profile "${profile}": ${known.length === 0 ? 'no profiles are defined' : `the profiles are ${known.map((name) => `${name} (${base}/${name})`).join(', ')}`}.`,
      );
    }
    const sessionId = request.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (typeof sessionId === 'string' && !session) {
      return sendError(response, 404, -32001, 'Session not found: it ended or the switchboard restarted. Initialize a new session.');
    }
    if (session && sessionPaths.get(session) !== pathOf(view, profile)) {
      return sendError(response, 400, -32000, `Bad request: this session was opened at ${sessionPaths.get(session) ?? MCP_PATH}; use that path.`);
    }
    switch (request.method) {
      case 'POST':
        return await handlePost(request, response, session, profile, view);
      case 'GET': {
        if (!session) return sendError(response, 400, -32000, 'Bad request: GET needs an Mcp-Session-Id header.');
        // With Last-Event-ID, the client resumes a call's stream it lost; without, it opens the session's own stream.
        const lastEventId = request.headers['last-event-id'];
        if (typeof lastEventId === 'string' && lastEventId !== '') {
          const refusal = session.resume(response, lastEventId);
          if (refusal) sendError(response, refusal.status, -32000, refusal.message);
          return;
        }
        if (!session.handleGet(response)) return sendError(response, 409, -32000, 'Conflict: this session already has an event stream open.');
        return;
      }
      case 'DELETE':
        if (!session) return sendError(response, 400, -32000, 'Bad request: DELETE needs an Mcp-Session-Id header.');
        await session.close();
        response.writeHead(200).end();
        return;
      default:
        response.setHeader('allow', 'GET, POST, DELETE');
        return sendError(response, 405, -32000, 'Method not allowed: use POST, GET or DELETE.');
    }
  }

  async function handlePost(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    existing: HttpSessionTransport | undefined,
    profile: string | undefined,
    view: string | undefined,
  ) {
    // Parsed as a media type: a browser may send "simple" requests (no CORS preflight) only as text/plain,
    // form or multipart types, so insisting on application/json itself keeps web pages out.
    if (mediaType(request.headers['content-type']) !== 'application/json') {
      return sendError(response, 415, -32000, 'Unsupported media type: POST bodies must be Content-Type: application/json.');
    }
    const body = await readBody(request);
    if (body === undefined) return sendError(response, 413, -32000, `Payload too large: the limit is ${MAX_BODY_BYTES} bytes.`);
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return sendError(response, 400, -32700, 'Parse error: the body is not JSON.');
    }
    if (Array.isArray(message)) {
      // Protocol 2025-06-18 removed JSON-RPC batching; a batch could also smuggle initialize in with a call.
      return sendError(response, 400, -32600, 'Invalid request: JSON-RPC batches are not supported; send one message per POST.');
    }
    if (!isJsonRpcMessage(message)) {
      return sendError(response, 400, -32600, 'Invalid request: the body must be one JSON-RPC 2.0 message.');
    }
    const initializing = (message as { method?: string }).method === 'initialize';
    let session = existing;
    if (!session) {
      if (!initializing) return sendError(response, 400, -32000, 'Bad request: no Mcp-Session-Id header; send initialize first.');
      session = new HttpSessionTransport(randomUUID(), sessionOptions);
      const opened = session;
      sessions.set(opened.sessionId, opened);
      sessionPaths.set(opened, pathOf(view, profile));
      // Set before connecting: the SDK's Server wraps whatever onclose the transport has.
      opened.onclose = () => sessions.delete(opened.sessionId);
      await options.openSession(opened, profile, view);
    } else if (initializing) {
      return sendError(response, 400, -32600, 'Invalid request: this session is already initialized.');
    }
    session.handlePost(message, request.headers, response);
  }

  // Clients pause between calls for longer than Node's 5 s default; closing idle sockets under them races with
  // their next request ("socket hang up"). Keep them open a minute, as most HTTP servers do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const reaper = setInterval(() => {
    const cutoff = Date.now() - IDLE_SESSION_MS;
    for (const session of sessions.values()) if (session.lastActive < cutoff && !session.hasStream) void session.close();
  }, 60_000);
  reaper.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostInUrl}:${port}${MCP_PATH}`,
    setToken(token) {
      expectedAuthorization = Buffer.from(`Bearer ${token}`);
    },
    async close() {
      clearInterval(reaper);
      await Promise.all([...sessions.values()].map((session) => session.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A path segment decoded, or as it is when it is not valid percent-encoding (it then names no profile). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The path of a view (undefined: the switchboard's own) and profile. */
function pathOf(view: string | undefined, profile: string | undefined): string {
  const base = view === undefined ? MCP_PATH : windowPath(view);
  return profile === undefined ? base : `${base}/${profile}`;
}

function checkHostAndOrigin(request: http.IncomingMessage, allowedHosts: ReadonlySet<string>): string | undefined {
  const host = hostname(request.headers.host ?? '');
  if (!allowedHosts.has(host)) return `Forbidden: Host "${request.headers.host ?? ''}" is not this machine (DNS-rebinding protection).`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined; // Not a browser: MCP clients send no Origin.
  // "null" is what sandboxed iframes and file:// pages send: a page, but not one of this machine's.
  if (origin === 'null') return 'Forbidden: Origin "null" (a sandboxed or file:// page) may not call the switchboard.';
  let originHost: string;
  try {
    originHost = new URL(origin).hostname.toLowerCase();
  } catch {
    return `Forbidden: Origin "${origin}" is not a URL.`;
  }
  if (!allowedHosts.has(originHost) && !allowedHosts.has(`[${originHost}]`)) {
    return `Forbidden: Origin "${origin}" is not this machine (DNS-rebinding protection).`;
  }
  return undefined;
}

/** The media type of a Content-Type header, lower-cased, without its parameters (`charset=…`). */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

function hostname(hostHeader: string): string {
  const lower = hostHeader.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  return lower.split(':', 1)[0] ?? '';
}

function authorized(request: http.IncomingMessage, expected: Buffer): boolean {
  const given = Buffer.from(request.headers.authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Reads the body as text, or returns undefined when it is over the limit. */
function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Drain the rest without keeping it, so the 413 still reaches the client.
        request.removeAllListeners('data');
        request.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function sendError(response: http.ServerResponse, status: number, code: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
