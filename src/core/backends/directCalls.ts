import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { answerFrame } from './answerFrames';
import { ProcessGroupStdioTransport } from './stdioClientTransport';

/**
 * Ids for relayed calls start far above any id the SDK's protocol layer uses
 * on the same connection (it counts up from 0), so the two never collide.
 */
const FIRST_RELAY_ID = 1_000_000_000_000;
/** How often deadlines are checked: a timeout fires within this much of its time. */
const SWEEP_MS = 250;

/** The client side of a relayed call: where its answer and its notifications go. */
export interface RelayedCallOrigin {
  /** Sends the answer (with the client's own id) to the client. */
  answer(message: JSONRPCMessage): void;
  /** Sends a success answer whose result is the backend's JSON, as it came. */
  answerWithResult(resultJson: Buffer): void;
  /** Sends a notification that belongs to the call (progress), ahead of the answer. */
  notify(message: JSONRPCMessage): void;
  /** Called once the call is over, however it ended. */
  done(): void;
}

interface RelayedCall {
  readonly clientId: RequestId;
  readonly clientProgressToken: string | number | undefined;
  readonly origin: RelayedCallOrigin;
  deadline: number;
}

type Message = { id?: RequestId; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { code: number; message: string } };

/**
 * The hot path for tools/call: forwards the JSON-RPC request and its answer
 * as messages, renaming only the id, the tool name and the progress token.
 * It skips the SDK's protocol layer on both sides (a schema parse of every
 * request and result, a timer and an abort controller per call), which is
 * most of what a proxy costs. Everything else goes through the SDK as usual.
 */
export class DirectCallRelay {
  private nextId = FIRST_RELAY_ID;
  private readonly calls = new Map<number, RelayedCall>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly proxyName: string,
    private readonly transport: Transport,
    private readonly timeoutMs: number,
  ) {}

  /** Puts a relay in front of the SDK on a client's connection: it takes its own messages and passes on the rest. */
  static attach(proxyName: string, client: Client, timeoutMs: number): DirectCallRelay | undefined {
    const transport = client.transport;
    if (!transport) return undefined;
    const relay = new DirectCallRelay(proxyName, transport, timeoutMs);
    const protocol = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (!relay.intercept(message)) protocol?.(message, extra);
    };
    // Over stdio the relay sees answers as bytes, before they are parsed.
    if (transport instanceof ProcessGroupStdioTransport) transport.claimLine = (line) => relay.claimAnswer(line);
    return relay;
  }

  /** Sends a tools/call for `toolName` to the backend on behalf of a client request. */
  call(request: { id: RequestId; params: Record<string, unknown> }, toolName: string, origin: RelayedCallOrigin): number {
    const id = this.nextId++;
    const meta = request.params._meta as Record<string, unknown> | undefined;
    const clientProgressToken = meta?.progressToken as string | number | undefined;
    const params: Record<string, unknown> = { ...request.params, name: toolName };
    // The backend gets our id as its progress token: tokens of different clients may collide, ours do not.
    if (clientProgressToken !== undefined) params._meta = { ...meta, progressToken: id };
    this.calls.set(id, { clientId: request.id, clientProgressToken, origin, deadline: Date.now() + this.timeoutMs });
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    this.transport.send({ jsonrpc: '2.0', id, method: 'tools/call', params }).catch((error: unknown) => {
      this.fail(id, ErrorCode.InternalError, `could not send the call: ${error instanceof Error ? error.message : String(error)}`);
    });
    return id;
  }

  /** The client cancelled: tell the backend, and forget the call (a cancelled request gets no answer). */
  cancel(id: number, reason: unknown): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.finish(id, call);
    void this.transport
      .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, ...(reason !== undefined && { reason }) } })
      .catch(() => undefined); // A backend that is gone has nothing to cancel.
  }

  /**
   * Takes a message from the backend if it belongs to a relayed call (its answer
   * or its progress); returns false for everything else, which the SDK handles.
   */
  intercept(message: JSONRPCMessage): boolean {
    const { id, method, params } = message as Message;
    if (method === undefined && typeof id === 'number' && id >= FIRST_RELAY_ID) {
      const call = this.calls.get(id);
      if (!call) return true; // Answer to a call that timed out or was cancelled.
      this.finish(id, call);
      call.origin.answer(this.toClient(message as Message, call.clientId));
      return true;
    }
    if (method === 'notifications/progress' && typeof params?.progressToken === 'number' && params.progressToken >= FIRST_RELAY_ID) {
      const call = this.calls.get(params.progressToken);
      if (call) {
        call.deadline = Date.now() + this.timeoutMs; // Progress shows it is alive, as the SDK's resetTimeoutOnProgress does.
        if (call.clientProgressToken !== undefined) {
          call.origin.notify({ jsonrpc: '2.0', method, params: { ...params, progressToken: call.clientProgressToken } });
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Takes a line from the backend, before it is parsed, if it is the success
   * answer to a relayed call in one of the usual frames: its result goes to
   * the client as bytes. Returns false for everything else.
   */
  claimAnswer(line: Buffer): boolean {
    const frame = answerFrame(line);
    const call = frame && frame.id >= FIRST_RELAY_ID ? this.calls.get(frame.id) : undefined;
    if (!frame || !call) return false;
    this.finish(frame.id, call);
    call.origin.answerWithResult(frame.result);
    return true;
  }

  /** The connection ended: every call in flight fails with `message`. */
  closeAll(message: string): void {
    for (const id of [...this.calls.keys()]) this.fail(id, ErrorCode.ConnectionClosed, message);
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private toClient(message: Message, clientId: RequestId): JSONRPCMessage {
    if (message.error) {
      // A protocol error keeps its code and data; the message says which proxy gave it.
      return { jsonrpc: '2.0', id: clientId, error: { ...message.error, message: `${this.proxyName}: ${message.error.message}` } };
    }
    return { jsonrpc: '2.0', id: clientId, result: message.result as Record<string, unknown> };
  }

  private fail(id: number, code: number, message: string): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.finish(id, call);
    call.origin.answer({ jsonrpc: '2.0', id: call.clientId, error: { code, message: `${this.proxyName}: ${message}` } });
  }

  private finish(id: number, call: RelayedCall): void {
    this.calls.delete(id);
    call.origin.done();
  }

  private sweep(): void {
    // Stopped here, not when the last call finishes: back-to-back calls would start and stop a timer each.
    if (this.calls.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      return;
    }
    const now = Date.now();
    for (const [id, call] of this.calls) {
      if (call.deadline > now) continue;
      this.fail(id, ErrorCode.RequestTimeout, `the proxy did not answer in time (${this.timeoutMs} ms).`);
      void this.transport
        .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'timed out in the switchboard' } })
        .catch(() => undefined);
    }
  }
}
