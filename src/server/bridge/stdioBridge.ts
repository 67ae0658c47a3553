import { createConnection } from 'node:net';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { causeCode } from '../../core/errors';
import { bareHostname } from '../../core/registry/agentPolicy';
import { type Discovery, isAlive, readDiscovery } from '../../core/user/discovery';

/** Waits before each try at reattaching: at once, then backing off. */
const REATTACH_DELAYS_MS = [0, 500, 1_000, 2_000, 4_000, 8_000];
/** No try at reattaching begins after this long: the client's messages wait meanwhile. */
const REATTACH_DEADLINE_MS = 15_000;
/** How long the switchboard a bridge reattached to gets to answer the replayed initialize. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long a broken connection waits to see whether its switchboard is going away. */
const LOSS_GRACE_MS = 1_500;
/** How long a probe of the switchboard's port may take. */
const PROBE_TIMEOUT_MS = 1_000;
/** How long ending the session may take once the client has gone. */
const END_TIMEOUT_MS = 2_000;
/** The ids of the bridge's own requests, apart from any a client sends. */
const OWN_ID_PREFIX = 'mcp-switchboard-connect-';
/** The JSON-RPC code the front answers an unknown session with (see httpFront.ts), apart from other 404s such as an unknown profile. */
const SESSION_NOT_FOUND = -32001;

export interface StdioBridgeOptions {
  /** The running user switchboard other than `gonePid` (a process that was killed may linger a moment), started first if none runs. */
  readonly attach: (gonePid?: number) => Promise<Discovery>;
  /** Where a rotated token is read after a 401. */
  readonly discoveryPath: string;
  readonly profile: string | undefined;
  readonly log: (line: string) => void;
}

/** No switchboard is attached now: a reattach failed, and the next message tries again. */
class NotAttachedError extends Error {}

/**
 * Passes MCP messages between this process's stdin/stdout (the client) and
 * the user's switchboard over Streamable HTTP, as they are, until stdin
 * closes. When the switchboard goes away (killed, crashed), the bridge starts
 * or finds its successor with backoff, replays the client's initialize there,
 * answers the requests the old one took with an error, and carries on: the
 * client keeps its connection and hears that the lists changed.
 */
export class StdioBridge {
  private readonly local = new StdioServerTransport();
  private remote: StreamableHTTPClientTransport | undefined;
  private attached: Discovery | undefined;
  /** The client's initialize request once it was answered, replayed to a successor. */
  private initialize: JSONRPCRequest | undefined;
  /** The client's initialize request while it waits for its answer. */
  private initializing: JSONRPCRequest | undefined;
  private initialized = false;
  /** The remote that has had `notifications/initialized`, from the client or from a replay. */
  private initializedOn: StreamableHTTPClientTransport | undefined;
  /** Requests the current switchboard took and has not answered: a crash answers them with an error. */
  private readonly delivered = new Set<RequestId>();
  /** Requests the current switchboard sent the client: only answers to those go to it. */
  private readonly asked = new Set<RequestId>();
  /** Answers to the bridge's own requests. */
  private readonly waiting = new Map<RequestId, (message: JSONRPCMessage) => void>();
  private reattaching: Promise<void> | undefined;
  private ownIds = 0;
  private ending = false;

  constructor(private readonly options: StdioBridgeOptions) {}

  async start(first: Discovery): Promise<void> {
    await this.open(first);
    this.local.onmessage = (message) => void this.fromClient(message);
    this.local.onclose = () => void this.end();
    process.stdin.once('end', () => void this.end());
    await this.local.start();
  }

  private async fromClient(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) return this.answerFromClient(message);
    if (isJSONRPCRequest(message) && message.method === 'initialize') this.initializing = message;
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const cancelled = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (cancelled !== undefined) this.delivered.delete(cancelled); // A cancelled request gets no answer.
    }
    try {
      await this.reattaching;
    } catch (failed) {
      return this.refuse(message, failed); // It waited for that reattach; the next message tries again.
    }
    if (isJSONRPCNotification(message) && message.method === 'notifications/initialized') {
      this.initialized = true;
      if (this.initializedOn === this.remote && this.remote) return; // The replay sent it already.
      this.initializedOn = this.remote;
    }
    try {
      await this.deliver(message);
    } catch (error) {
      await this.afterFailedDelivery(message, error);
    }
  }

  /** The client's answer to a request of the switchboard's: to the one that asked, at once, even during a reattach; an answer for a switchboard that is gone is dropped. */
  private answerFromClient(message: JSONRPCMessage & { id?: RequestId | undefined }): void {
    const remote = this.remote;
    if (message.id === undefined || !remote || !this.asked.delete(message.id)) return;
    remote.send(message).catch((error: unknown) => this.options.log(`could not pass on an answer: ${messageOf(error)}`));
  }

  /**
   * A message the switchboard did not take. If it is gone, the bridge
   * reattaches; then a message it never got (nothing listened, or the
   * successor did not know the session) is sent again, while a request it
   * may have begun is answered with an error by the reattach: sending a tool
   * call twice could do its work twice.
   */
  private async afterFailedDelivery(message: JSONRPCMessage, error: unknown): Promise<void> {
    const id = isJSONRPCRequest(message) ? message.id : undefined;
    const answered = () => id !== undefined && !this.delivered.has(id); // By a reattach that noticed first.
    if (answered()) return;
    const neverGot = error instanceof NotAttachedError || isSessionLost(error) || causeCode(error) === 'ECONNREFUSED';
    // Any other HTTP answer comes from a switchboard that serves: it refused this message.
    const gone = neverGot || (!(error instanceof StreamableHTTPError) && (await this.goneSoon()));
    if (answered()) return;
    if (!gone) {
      if (id !== undefined) this.delivered.delete(id);
      return this.refuse(message, error);
    }
    // Sent again below, not answered by the reattach; one that may have been begun stays for the reattach to answer.
    if (neverGot && id !== undefined) this.delivered.delete(id);
    try {
      await this.reattach();
    } catch (failed) {
      if (neverGot) this.refuse(message, failed);
      return;
    }
    if (!neverGot) return;
    try {
      await this.deliver(message);
    } catch (again) {
      if (id === undefined || this.delivered.delete(id)) this.refuse(message, again);
    }
  }

  /** Sends to the attached switchboard; a request counts as delivered from the start, since its answer may come before the send resolves. */
  private async deliver(message: JSONRPCMessage): Promise<void> {
    const remote = this.remote;
    if (isJSONRPCRequest(message)) this.delivered.add(message.id);
    if (!remote) throw new NotAttachedError("the user's switchboard went away and could not be started again");
    await remote.send(message);
  }

  private fromSwitchboard(message: JSONRPCMessage): void {
    if (isJSONRPCRequest(message)) this.asked.add(message.id);
    const isAnswer = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    if (isAnswer && message.id !== undefined) {
      const waiter = this.waiting.get(message.id);
      if (waiter) return waiter(message);
      if (typeof message.id === 'string' && message.id.startsWith(OWN_ID_PREFIX)) return; // One of ours, answered after its time.
      this.delivered.delete(message.id);
      if (message.id === this.initializing?.id && isJSONRPCResultResponse(message)) {
        this.initialize = this.initializing;
        // The protocol version goes into every later request's header, as the SDK's own client does.
        this.adoptVersion(message.result);
      }
    }
    void this.local.send(message);
  }

  /** Connects to a switchboard, and there, after a crash, replays what the client said to begin its session. */
  private async open(discovery: Discovery): Promise<void> {
    const url = new URL(discovery.url);
    if (this.options.profile !== undefined) url.pathname = `${url.pathname}/${encodeURIComponent(this.options.profile)}`;
    const remote = new StreamableHTTPClientTransport(url, { fetch: followingRotation(discovery.token, this.options.discoveryPath) });
    remote.onmessage = (message) => {
      if (this.remote === remote) this.fromSwitchboard(message);
    };
    remote.onerror = (error) => {
      if (this.remote !== remote) return;
      this.options.log(error.message);
      // A stream that broke because the switchboard is gone: reattach now, not at the client's next message.
      void this.goneSoon().then((gone) => (gone && this.remote === remote ? this.reattach().catch(() => undefined) : undefined));
    };
    await remote.start();
    this.remote = remote;
    this.attached = discovery;
    this.asked.clear();
    try {
      await this.replaySessionStart(remote);
    } catch (error) {
      this.remote = undefined;
      void remote.close().catch(() => undefined);
      throw error;
    }
  }

  private async replaySessionStart(remote: StreamableHTTPClientTransport): Promise<void> {
    if (!this.initialize) return;
    const answer = await this.ownRequest({ method: 'initialize', params: this.initialize.params ?? {} });
    if (isJSONRPCErrorResponse(answer)) throw new Error(`the switchboard refused the replayed initialize: ${answer.error.message}`);
    if (isJSONRPCResultResponse(answer)) this.adoptVersion(answer.result);
    if (this.initialized) {
      this.initializedOn = remote;
      await remote.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    }
    // A first list waits for the proxies still starting (up to the switchboard's grace): calls after it find them.
    await this.ownRequest({ method: 'tools/list' });
  }

  /** Finds or starts the successor of a switchboard that went away, once for every message that noticed. */
  private reattach(): Promise<void> {
    this.reattaching ??= this.reattachWithBackoff().finally(() => (this.reattaching = undefined));
    return this.reattaching;
  }

  private async reattachWithBackoff(): Promise<void> {
    const gone = this.attached;
    this.options.log(`the user's switchboard${gone ? ` (pid ${gone.pid})` : ''} went away; reattaching.`);
    void this.remote?.close().catch(() => undefined);
    this.remote = undefined;
    for (const id of this.delivered) {
      void this.local.send({ jsonrpc: '2.0', id, error: { code: -32000, message: "The user's switchboard stopped while it had this request: try again." } });
    }
    this.delivered.clear();
    const deadline = Date.now() + REATTACH_DEADLINE_MS;
    let lastError: unknown;
    for (const delay of REATTACH_DELAYS_MS) {
      await new Promise((wait) => setTimeout(wait, delay));
      if (Date.now() > deadline) break;
      try {
        // A process that lingers after its sockets closed is not excluded: the next try finds it gone.
        const found = await this.options.attach(gone && !isAlive(gone.pid) ? gone.pid : undefined);
        await this.open(found);
        this.options.log(`reattached to the user's switchboard (pid ${found.pid}) at ${found.url}.`);
        if (this.initialize) {
          for (const method of ['notifications/tools/list_changed', 'notifications/resources/list_changed', 'notifications/prompts/list_changed']) {
            void this.local.send({ jsonrpc: '2.0', method });
          }
        }
        return;
      } catch (error) {
        lastError = error;
      }
    }
    const failure = `the user's switchboard went away and could not be started again: ${messageOf(lastError)}`;
    this.options.log(`${failure}. The next message tries again.`);
    throw new Error(failure);
  }

  /**
   * Whether the switchboard attached to stops serving within a moment. A
   * killed process closes its sockets before it is gone, and a connection
   * can also break while its server is well (a keep-alive socket it closed
   * just then): only a switchboard that stopped is reattached from.
   */
  private async goneSoon(): Promise<boolean> {
    const deadline = Date.now() + LOSS_GRACE_MS;
    for (;;) {
      if (!(await this.serving())) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }

  /** Whether the switchboard attached to still runs and its port takes connections. */
  private serving(): Promise<boolean> {
    const attached = this.attached;
    if (!attached || !isAlive(attached.pid)) return Promise.resolve(false);
    const url = new URL(attached.url);
    return new Promise((resolve) => {
      const socket = createConnection({ host: bareHostname(url), port: Number(url.port), timeout: PROBE_TIMEOUT_MS });
      const done = (up: boolean) => {
        socket.destroy();
        resolve(up);
      };
      socket.once('connect', () => done(true));
      socket.once('timeout', () => done(true)); // Busy, not gone.
      socket.once('error', () => done(false));
    });
  }

  private ownRequest(request: { method: string; params?: Record<string, unknown> }): Promise<JSONRPCMessage> {
    const remote = this.remote;
    if (!remote) return Promise.reject(new NotAttachedError('no switchboard is attached'));
    const id = `${OWN_ID_PREFIX}${++this.ownIds}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the switchboard did not answer ${request.method} within ${HANDSHAKE_TIMEOUT_MS / 1000} s`));
      }, HANDSHAKE_TIMEOUT_MS);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(answer);
      });
      remote.send({ jsonrpc: '2.0', id, ...request }).catch((error: unknown) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  private adoptVersion(result: Record<string, unknown>): void {
    if (typeof result.protocolVersion === 'string') this.remote?.setProtocolVersion(result.protocolVersion);
  }

  private refuse(message: JSONRPCMessage, error: unknown): void {
    const reason = messageOf(error);
    this.options.log(reason);
    if (isJSONRPCRequest(message)) {
      void this.local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `The user's switchboard did not take the request: ${reason}` } });
    }
  }

  private async end(): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    const remote = this.remote;
    const ended = (async () => {
      await remote?.terminateSession().catch(() => undefined);
      await remote?.close().catch(() => undefined);
    })();
    // A switchboard that hangs does not keep the bridge once its client has gone.
    await Promise.race([ended, new Promise((wait) => setTimeout(wait, END_TIMEOUT_MS))]);
    process.exit(0);
  }
}

/**
 * A fetch that sends the switchboard's token and, refused with 401, reads the
 * discovery file once for a rotated one and tries again: the user may rotate
 * the token while clients are connected, and connect is theirs to follow it.
 */
function followingRotation(initial: string, discoveryPath: string): FetchLike {
  let token = initial;
  return async (input, init) => {
    const send = () => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const response = await send();
    if (response.status !== 401) return response;
    const rotated = (await readDiscovery(discoveryPath))?.token;
    if (rotated === undefined || rotated === token) return response;
    await response.body?.cancel();
    token = rotated;
    return await send();
  };
}


/** Whether a send was refused because the switchboard does not know the session (it restarted), rather than for another reason. */
function isSessionLost(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code === 404 && new RegExp(`"code":\\s*${SESSION_NOT_FOUND}\\b`).test(error.message);
}

/** An error's sentence; for a refusal from the switchboard, the message its JSON-RPC answer gave rather than the transport's wrapping. */
function messageOf(error: unknown): string {
  if (error instanceof StreamableHTTPError) {
    const body = error.message.slice(error.message.indexOf('{'));
    try {
      const said = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
      if (typeof said === 'string') return said;
    } catch {
      // Not the front's JSON answer: the transport's own words follow.
    }
  }
  return error instanceof Error ? error.message : String(error);
}
