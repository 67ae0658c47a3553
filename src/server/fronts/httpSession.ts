import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { type SendsSerializedAnswers, serializedAnswer } from '../../core/jsonLines';
import { type EventData, REPLAY_LIMITS, ReplayLog, type ReplayLimits } from './replayLog';

/** Headers every response of a session carries. */
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
/** How long a request for the client waits for the client to open its event stream. */
const STREAM_WAIT_MS = 3_000;
/** A comment line on idle event streams, so proxies and clients do not time them out. */
const KEEPALIVE_MS = 25_000;
/** How soon a client should come back for a call's stream it lost or that the front closed (the SSE `retry` field). */
export const RECONNECT_AFTER_MS = 500;
/** How long a call's answer waits for its client to resume the stream, when it came while the client held no connection. */
const UNCLAIMED_ANSWER_MS = 5 * 60_000;
/** The first protocol revision whose clients are told to resume a call's stream that the server closed (SSE polling). */
const POLLING_REVISION = '2025-11-25';

type Message = JSONRPCMessage & { id?: RequestId; method?: string; params?: { requestId?: RequestId } };

export interface HttpSessionOptions {
  /**
   * Close a call's event stream after this long without an event, so the
   * client polls it (reconnects with Last-Event-ID); only for clients that
   * speak 2025-11-25 or later. Undefined: streams stay open until answered.
   */
  readonly pollAfterQuietMs?: number | undefined;
  readonly replayLimits?: ReplayLimits;
}

/** Why a GET with Last-Event-ID was refused, as the HTTP front answers it. */
export interface ResumeRefusal {
  readonly status: number;
  readonly message: string;
}

/**
 * One request of the client's, from its POST until its answer. It answers
 * with plain JSON unless the server sends something related to the request
 * first (progress, a log line, a sampling request): then it turns into an
 * event stream whose events have ids, kept until the answer is delivered, so
 * that a client whose connection drops can resume it with GET and
 * Last-Event-ID. Most calls send nothing in between, so most answers are one
 * JSON body: far cheaper for both ends than an event stream per call.
 */
class Call {
  /** The stream's number once it streams; until then the answer can still be plain JSON. */
  stream: number | undefined;
  /** The HTTP response carrying it now: the POST's, a resuming GET's, or none while the client is away. */
  connection: ServerResponse | undefined;
  answered = false;
  keepalive: NodeJS.Timeout | undefined;
  quiet: NodeJS.Timeout | undefined;
  unclaimed: NodeJS.Timeout | undefined;

  constructor(
    readonly id: RequestId,
    connection: ServerResponse,
    /** Whether the client speaks a revision that resumes streams the server closes (priming event, `retry`, polling). */
    readonly polls: boolean,
  ) {
    this.connection = connection;
  }

  get connected(): boolean {
    return this.connection !== undefined && !this.connection.writableEnded && !this.connection.destroyed;
  }

  stopTimers(): void {
    clearInterval(this.keepalive);
    clearTimeout(this.quiet);
    clearTimeout(this.unclaimed);
    this.keepalive = this.quiet = this.unclaimed = undefined;
  }
}

/**
 * The server side of one Streamable HTTP session, as an SDK Transport: the
 * session's MCP Server talks to it; the HTTP front feeds it POSTs, the GET
 * stream and GETs that resume a call's stream.
 */
export class HttpSessionTransport implements Transport, SendsSerializedAnswers {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  /** When the client last sent anything, for reaping sessions whose client vanished. */
  lastActive = Date.now();
  /** Requests not answered yet, by the client's request id. */
  private readonly pending = new Map<RequestId, Call>();
  /** Calls whose event stream can be resumed: streaming, and not yet delivered in full. */
  private readonly streams = new Map<number, Call>();
  private readonly replay: ReplayLog;
  private standalone: ServerResponse | undefined;
  /** Requests for the client that came before it opened its event stream, waiting for it a moment. */
  private readonly waitingForStream = new Set<{ readonly json: string; readonly deliver: () => void }>();
  private keepalive: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly headers: Record<string, string>;

  constructor(
    readonly sessionId: string,
    private readonly options: HttpSessionOptions = {},
  ) {
    this.headers = { 'mcp-session-id': sessionId };
    this.replay = new ReplayLog(options.replayLimits ?? REPLAY_LIMITS);
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
      const call = new Call(id, response, speaksPolling(requestHeaders['mcp-protocol-version']));
      this.pending.set(id, call);
      // A client that hangs up does not cancel its request: a stream waits for it to resume; a plain answer is dropped.
      response.once('close', () => this.connectionClosed(call, response));
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
    for (const waiting of this.waitingForStream) waiting.deliver();
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

  /**
   * Resumes a call's event stream on a GET with Last-Event-ID: sends what the
   * stream sent after that event, then the rest of it as it comes, through
   * the answer. Returns why not when the id is not one to resume here.
   */
  resume(response: ServerResponse, lastEventId: string): ResumeRefusal | undefined {
    this.lastActive = Date.now();
    const found = this.replay.eventsAfter(lastEventId);
    if (!found.ok) return found;
    const call = this.streams.get(found.stream);
    if (!call) return { status: 410, message: `Gone: the stream of event "${lastEventId}" has ended; there is nothing left to resume.` };
    // The client came back on a new connection: the old one, if the front still holds it, is dead to it.
    const previous = call.connection;
    call.stopTimers();
    call.connection = response;
    if (previous && !previous.writableEnded) previous.end();
    response.writeHead(200, { ...SSE_HEADERS, ...this.headers });
    for (const event of found.events) writeEvent(response, event.data, event.id);
    response.once('close', () => this.connectionClosed(call, response));
    if (call.answered) response.end();
    else this.watch(call);
    return undefined;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const { id, method } = message as Message;
    if (method === undefined && id !== undefined) {
      this.answer(id, JSON.stringify(message));
      return;
    }
    const related = options?.relatedRequestId === undefined ? undefined : this.pending.get(options.relatedRequestId);
    if (related && (related.stream !== undefined || related.connected)) {
      this.streamEvent(related, JSON.stringify(message));
    } else if (this.standalone) {
      writeEvent(this.standalone, JSON.stringify(message));
    } else if (method !== undefined && id !== undefined) {
      await this.whenStreamOpens(JSON.stringify(message));
    }
    // A notification with no stream open for it is dropped, as the spec lets the server do.
  }

  /**
   * A request for the client (roots, sampling…) with no stream to carry it:
   * clients open their event stream just after initialize, so it waits a
   * moment for one, then fails at once rather than leave the backend that
   * asked waiting for its timeout.
   */
  private whenStreamOpens(json: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting = {
        json,
        deliver: () => {
          clearTimeout(timer);
          this.waitingForStream.delete(waiting);
          if (this.standalone) writeEvent(this.standalone, json);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waitingForStream.delete(waiting);
        reject(new Error('the client keeps no event stream open for requests from the server (it sent no GET).'));
      }, STREAM_WAIT_MS);
      timer.unref();
      this.waitingForStream.add(waiting);
    });
  }

  async sendSerializedAnswer(id: RequestId, resultJson: Buffer): Promise<void> {
    this.answer(id, serializedAnswer(id, resultJson));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    this.standalone?.end();
    for (const call of new Set([...this.pending.values(), ...this.streams.values()])) {
      call.stopTimers();
      if (!call.connected) continue;
      const connection = call.connection as ServerResponse;
      if (call.stream === undefined) connection.writeHead(503, this.headers).end();
      else connection.end();
    }
    this.pending.clear();
    this.streams.clear();
    this.replay.clear();
    this.onclose?.();
  }

  /** Sends an event of the call's stream (turning its response into one if need be), and keeps it for replay. */
  private streamEvent(call: Call, data: EventData): void {
    if (call.stream === undefined) this.startStream(call);
    const eventId = this.replay.record(call.stream as number, data);
    if (call.connected) {
      writeEvent(call.connection as ServerResponse, data, eventId);
      call.quiet?.refresh();
    }
  }

  private startStream(call: Call): void {
    const { stream, primingId } = this.replay.open();
    call.stream = stream;
    this.streams.set(stream, call);
    const response = call.connection as ServerResponse;
    response.writeHead(200, { ...SSE_HEADERS, ...this.headers });
    // An id before any message, so the client can resume even if it loses the connection before the first event.
    // Only for clients of 2025-11-25 on: older ones may take the empty event for a message.
    if (call.polls) response.write(`id: ${primingId}\nretry: ${RECONNECT_AFTER_MS}\ndata: \n\n`);
    this.watch(call);
  }

  /** Keeps a call's live event stream from timing out, and closes it when quiet if the client polls. */
  private watch(call: Call): void {
    const response = call.connection as ServerResponse;
    call.keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    call.keepalive.unref();
    const quietMs = this.options.pollAfterQuietMs;
    if (call.polls && quietMs !== undefined) {
      call.quiet = setTimeout(() => this.closeForPolling(call, response), quietMs);
      call.quiet.unref();
    }
  }

  /** Ends the connection of a call that has been quiet, telling the client when to come back; its stream goes on. */
  private closeForPolling(call: Call, response: ServerResponse): void {
    if (call.connection !== response || call.answered) return;
    call.stopTimers();
    call.connection = undefined;
    response.end(`retry: ${RECONNECT_AFTER_MS}\n\n`);
  }

  /** An answer ends the call: as the POST's JSON body, or as the last event of its stream. */
  private answer(id: RequestId, json: string | Buffer): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    if (call.stream === undefined) {
      if (call.connected) answerWithJson(call.connection as ServerResponse, json, this.headers);
      return;
    }
    call.answered = true;
    this.streamEvent(call, json);
    if (call.connected) {
      call.stopTimers();
      (call.connection as ServerResponse).end();
    } else {
      this.awaitResume(call);
    }
  }

  private connectionClosed(call: Call, response: ServerResponse): void {
    if (call.connection !== response) return; // A resume took over, or the front closed it for polling.
    call.connection = undefined;
    call.stopTimers();
    if (call.stream === undefined) {
      // No event id was given: nothing to resume; the answer, when it comes, is dropped.
      if (this.pending.get(call.id) === call) this.pending.delete(call.id);
    } else if (call.answered) {
      // Delivered when all of it reached the socket; else the client may come back for it.
      if (response.writableFinished) this.forget(call);
      else this.awaitResume(call);
    }
    // A stream still running keeps its events for the client to resume.
  }

  /** Keeps an answered stream for a while, for a client that lost its connection to come back for the answer. */
  private awaitResume(call: Call): void {
    clearTimeout(call.unclaimed);
    call.unclaimed = setTimeout(() => this.forget(call), UNCLAIMED_ANSWER_MS);
    call.unclaimed.unref();
  }

  /** Drops a call's stream and all it kept: delivered, cancelled or abandoned. */
  private forget(call: Call): void {
    call.stopTimers();
    if (call.stream === undefined) return;
    if (this.streams.get(call.stream) === call) this.streams.delete(call.stream);
    this.replay.drop(call.stream);
  }

  private cancelled(requestId: RequestId | undefined): void {
    if (requestId === undefined) return;
    const call = this.pending.get(requestId);
    if (!call) return;
    this.pending.delete(requestId);
    if (call.stream === undefined) {
      if (call.connected) (call.connection as ServerResponse).writeHead(202, this.headers).end();
      return;
    }
    const connection = call.connection;
    call.connection = undefined;
    this.forget(call);
    if (connection && !connection.writableEnded) connection.end();
  }
}

/** Whether a request's MCP-Protocol-Version is one whose clients resume streams the server closes. */
function speaksPolling(version: string | string[] | undefined): boolean {
  return typeof version === 'string' && version >= POLLING_REVISION;
}

function answerWithJson(response: ServerResponse, json: string | Buffer, headers: Record<string, string>): void {
  const length = typeof json === 'string' ? Buffer.byteLength(json) : json.length;
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(length), ...headers }).end(json);
}

function writeEvent(response: ServerResponse, data: EventData, eventId?: string): void {
  const head = eventId === undefined ? 'event: message\ndata: ' : `id: ${eventId}\nevent: message\ndata: `;
  if (typeof data === 'string') {
    response.write(`${head}${data}\n\n`);
    return;
  }
  response.write(head);
  response.write(data);
  response.write('\n\n');
}
