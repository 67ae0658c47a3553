import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { type SendsSerializedAnswers, serializedAnswer } from '../core/jsonLines';

/** Headers every response of a session carries. */
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
/** A comment line on idle event streams, so proxies and clients do not time them out. */
const KEEPALIVE_MS = 25_000;

type Message = JSONRPCMessage & { id?: RequestId; method?: string; params?: { requestId?: RequestId } };

/**
 * One POST that carried a request: its HTTP response stays open until the
 * request is answered. It answers with plain JSON unless the server sends
 * something related to the request first (progress, a log line, a sampling
 * request), in which case it turns into an event stream. Most calls send
 * nothing in between, so most answers are one JSON body: far cheaper for
 * both ends than an event stream per call.
 */
class PendingPost {
  private streaming = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly headers: Record<string, string>,
  ) {}

  get open(): boolean {
    return !this.response.writableEnded && !this.response.destroyed;
  }

  /** Sends a message (as JSON text) that belongs to this POST's request but is not its answer. */
  stream(json: string): void {
    if (!this.streaming) {
      this.streaming = true;
      this.response.writeHead(200, { ...SSE_HEADERS, ...this.headers });
    }
    writeEvent(this.response, json);
  }

  /** Ends the response with the answer (as JSON), or with nothing when the request was cancelled. */
  answer(json: string | Buffer | undefined): void {
    if (this.streaming) {
      if (json !== undefined) writeEvent(this.response, json);
      this.response.end();
    } else if (json === undefined) {
      this.response.writeHead(202, this.headers).end();
    } else {
      this.response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)), ...this.headers }).end(json);
    }
  }

  /** Ends the response early: the session is closing. */
  abort(): void {
    if (!this.open) return;
    if (this.streaming) this.response.end();
    else this.response.writeHead(503, this.headers).end();
  }
}

/**
 * The server side of one Streamable HTTP session, as an SDK Transport: the
 * session's MCP Server talks to it; the HTTP front feeds it POSTs and the GET stream.
 */
export class HttpSessionTransport implements Transport, SendsSerializedAnswers {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  /** When the client last sent anything, for reaping sessions whose client vanished. */
  lastActive = Date.now();
  private readonly pending = new Map<RequestId, PendingPost>();
  private standalone: ServerResponse | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly headers: Record<string, string>;

  constructor(readonly sessionId: string) {
    this.headers = { 'mcp-session-id': sessionId };
  }

  async start(): Promise<void> {
    // Messages arrive through handlePost; nothing to open.
  }

  /** Whether the client holds the GET event stream open. */
  get hasStream(): boolean {
    return this.standalone !== undefined;
  }

  /** Dispatches the message of one POST; answers 202 at once when it is not a request. */
  handlePost(message: JSONRPCMessage, requestHeaders: IncomingHttpHeaders, response: ServerResponse): void {
    this.lastActive = Date.now();
    const { id, method, params } = message as Message;
    if (method === undefined || id === undefined) {
      response.writeHead(202, this.headers).end();
    } else {
      const post = new PendingPost(response, this.headers);
      this.pending.set(id, post);
      // A client that hangs up does not cancel its request; its answer is dropped.
      response.once('close', () => {
        if (this.pending.get(id) === post) this.pending.delete(id);
      });
    }
    this.onmessage?.(message, { requestInfo: { headers: requestHeaders } });
    if (method === 'notifications/cancelled') this.cancelled(params?.requestId);
  }

  /** Opens the session's standalone event stream (GET), for messages not tied to a request. */
  handleGet(response: ServerResponse): boolean {
    this.lastActive = Date.now();
    if (this.standalone) return false;
    this.standalone = response;
    response.writeHead(200, { ...SSE_HEADERS, ...this.headers });
    response.write(': stream open\n\n');
    this.keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
    response.once('close', () => {
      if (this.standalone === response) {
        this.standalone = undefined;
        clearInterval(this.keepalive);
      }
    });
    return true;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const { id, method } = message as Message;
    if (method === undefined && id !== undefined) {
      this.answer(id, JSON.stringify(message));
      return;
    }
    const related = options?.relatedRequestId === undefined ? undefined : this.pending.get(options.relatedRequestId);
    if (related?.open) {
      related.stream(JSON.stringify(message));
    } else if (this.standalone) {
      writeEvent(this.standalone, JSON.stringify(message));
    }
    // Otherwise the client keeps no stream open for it; the spec lets the server drop it.
  }

  async sendSerializedAnswer(id: RequestId, resultJson: Buffer): Promise<void> {
    this.answer(id, serializedAnswer(id, resultJson));
  }

  /** An answer ends (part of) the POST that asked. */
  private answer(id: RequestId, json: string | Buffer): void {
    const post = this.pending.get(id);
    this.pending.delete(id);
    if (post?.open) post.answer(json);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    this.standalone?.end();
    for (const post of new Set(this.pending.values())) post.abort();
    this.pending.clear();
    this.onclose?.();
  }

  private cancelled(requestId: RequestId | undefined): void {
    if (requestId === undefined) return;
    const post = this.pending.get(requestId);
    this.pending.delete(requestId);
    if (post?.open) post.answer(undefined);
  }
}

function writeEvent(response: ServerResponse, json: string | Buffer): void {
  if (typeof json === 'string') {
    response.write(`event: message\ndata: ${json}\n\n`);
    return;
  }
  response.write('event: message\ndata: ');
  response.write(json);
  response.write('\n\n');
}
