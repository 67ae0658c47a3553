import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  LoggingLevel,
  Prompt,
  Resource,
  ResourceTemplate,
  Result,
  ServerCapabilities,
  TaskStatusNotification,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { failureText, ProxiedError, proxyError } from '../errors';
import { authForEntry, type ProxyAuth } from '../oauth/proxyAuth';
import { findNeedsSignIn } from '../oauth/signInErrors';
import { passthroughResult } from '../passthrough';
import { expandEntry } from '../registry/expand';
import { type ProxyEntry, type ProxyMount, type TransportKind, transportOf } from '../registry/registry';
import type { ProxyState } from '../status';
import { createBackendClient } from './backendClient';
import type { BackendHost, InFlightCall } from './backendHost';
import { BackendLists, LIST_KINDS, type ListKind } from './backendLists';
import { CannotStartError } from './backendProcess';
import { connectBackend } from './backendTransports';
import { BACKOFF_RESET_AFTER_MS, backoffDelay } from './backoff';
import { BurstLog } from './burstLog';
import { DirectCallRelay } from './directCalls';

/** Default time a backend gets to answer one request. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** How often a backend that cannot be started at all is tried again: a program installed meanwhile is found. */
const CANNOT_START_RETRY_MS = 5 * 60_000;

/**
 * One proxy: its connection to a backend MCP server, its state, and cached
 * copies of the lists it offers. Reconnects by itself with capped backoff.
 */
export class Backend {
  state: ProxyState = 'stopped';
  error: string | undefined;
  /** When the current state began; retries of a failing backend keep the time its failure began. */
  since = new Date();
  transport: TransportKind;
  capabilities: ServerCapabilities | undefined;
  /** Copies of the lists it offers, read at connect and on list_changed. */
  private readonly lists: BackendLists;
  /** Calls from clients in progress, newest last: where reverse requests and logs go. */
  readonly inFlight = new Set<InFlightCall>();

  /** The call from a client that began last among those in progress. */
  get newestCall(): InFlightCall | undefined {
    let last: InFlightCall | undefined;
    for (const call of this.inFlight) last = call;
    return last;
  }
  /** Resource URIs clients subscribed to here; renewed on reconnect. */
  readonly subscriptions = new Set<string>();
  readonly timeoutMs: number;

  /** The fast path for tools/call on the current connection. */
  relay: DirectCallRelay | undefined;
  private client: Client | undefined;
  /** The client of a connection still being opened. */
  private starting: Client | undefined;
  /** OAuth for a url proxy (unless its entry says `oauth: false` or sends its own Authorization header). */
  private auth: ProxyAuth | undefined;
  /** Bumped on every (re)connect and stop, so late results of an old attempt are ignored. */
  private generation = 0;
  private attempt = 0;
  private connectedAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** When start() was first called: the first list of a session waits for this backend until a grace after it. */
  startedAt: number | undefined;
  /** Whether the first connection attempt has ended (connected, failed, disabled or stopped). */
  firstAttemptSettled = false;
  private settleFirstAttempt: () => void = () => undefined;
  /** Resolves when the first connection attempt has ended. */
  readonly firstAttempt = new Promise<void>((resolve) => (this.settleFirstAttempt = resolve));
  /** When the current run of failed attempts began. */
  private failingSince: Date | undefined;
  /** The last failure logged as a warning: the same one again is logged at debug only. */
  private lastFailure: string | undefined;
  /** Each list kind's refresh in progress, so a burst of list_changed costs one fetch at a time. */
  private readonly refreshing = new Map<ListKind, Promise<void>>();
  /** Protocol trouble (answers to ids never sent, oversized lines) at warn, once per burst. */
  private readonly trouble: BurstLog;

  constructor(
    readonly name: string,
    /** The mount it was made for: how it reaches its server. What views show of it (prefix, filters) is theirs: see ProxyView. */
    readonly mount: ProxyMount,
    private readonly host: BackendHost,
  ) {
    this.transport = transportOf(mount.entry);
    this.timeoutMs = mount.entry.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.lists = new BackendLists(this.timeoutMs);
    this.trouble = new BurstLog((line) => host.logger.warn(line, name));
  }

  get tools(): readonly Tool[] {
    return this.lists.tools;
  }

  get resources(): readonly Resource[] {
    return this.lists.resources;
  }

  get templates(): readonly ResourceTemplate[] {
    return this.lists.templates;
  }

  get prompts(): readonly Prompt[] {
    return this.lists.prompts;
  }

  /** Starts connecting (in the background), or records why it will not. */
  start(): void {
    this.startedAt ??= Date.now();
    if (this.mount.blockedReason !== undefined) {
      this.setState('disabled', this.mount.blockedReason);
    } else if (this.mount.entry.enabled === false) {
      this.setState('disabled', undefined);
    } else {
      void this.connect(); // Errors become the state; nothing to await here.
    }
  }

  /** Disconnects for good; the backend process, if any, is ended. */
  async stop(): Promise<void> {
    this.generation++;
    await this.auth?.cancelSignIn();
    clearTimeout(this.retryTimer);
    const clients = [this.client, this.starting];
    this.client = undefined;
    this.starting = undefined;
    this.dropRelay('the proxy was stopped.');
    this.clearLists();
    this.trouble.dispose();
    this.setState('stopped', undefined);
    await Promise.all(clients.map((client) => client?.close().catch(() => undefined)));
  }

  /** Drops the connection and connects again now, forgetting the backoff. */
  async restart(): Promise<void> {
    await this.stop();
    this.attempt = 0;
    this.start();
  }

  /** Sends a request to the backend, with its timeout, mapping failures to errors that name the proxy. */
  async request(method: string, params: Record<string, unknown> | undefined, options: RequestOptions = {}): Promise<Result> {
    const client = this.client;
    if (!client || this.state !== 'connected') throw this.unavailableError();
    try {
      return await client.request(params === undefined ? { method } : { method, params }, passthroughResult, {
        timeout: this.timeoutMs,
        resetTimeoutOnProgress: true,
        ...options,
      });
    } catch (error) {
      throw proxyError(this.name, error);
    }
  }

  /** Tells the backend the status of a task a client runs for it. */
  notifyTaskStatus(params: TaskStatusNotification['params']): void {
    if (this.state === 'connected') void this.client?.notification({ method: 'notifications/tasks/status', params }).catch(() => undefined);
  }

  /** Tells the backend the client's roots changed. */
  notifyRootsChanged(): void {
    if (this.state === 'connected') void this.client?.sendRootsListChanged().catch(() => undefined); // Best effort: a backend that went away needs no roots.
  }

  /** Applies a logging level to the backend, if it does logging. */
  setLoggingLevel(level: LoggingLevel): void {
    if (this.state !== 'connected' || !this.capabilities?.logging) return;
    this.request('logging/setLevel', { level }).catch((error: unknown) =>
      this.host.logger.warn(`could not set its logging level: ${String(error)}`, this.name),
    );
  }

  /** The error for a request this proxy cannot take now, naming it and its state. */
  unavailableError(): ProxiedError {
    const why = this.error ? `: ${this.error}` : '';
    if (this.state === 'needs-sign-in') return new ProxiedError(-32603, `Proxy "${this.name}" needs sign-in: ${this.error ?? ''}`);
    const advice = this.state === 'disabled' ? ' Enable it to use it.' : this.state === 'stopped' ? '' : ' It reconnects by itself; list_proxies shows its state.';
    return new ProxiedError(-32603, `Proxy "${this.name}" is ${this.state}${why}.${advice}`);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    clearTimeout(this.retryTimer);
    this.setState('connecting', undefined);
    let client: Client | undefined;
    try {
      let entry: ProxyEntry;
      try {
        entry = expandEntry(this.mount.entry, this.host.expansion());
      } catch (error) {
        throw new CannotStartError(failureText(error));
      }
      this.auth = authForEntry(this.auth, this.name, entry, this.host.signInHost, this.host.logger, (reason) => this.lostSignIn(reason));
      this.auth?.takeNeedsSignIn(); // What an earlier connection found is not news for this one.
      const opened = await connectBackend(entry, {
        name: this.name,
        timeoutMs: this.timeoutMs,
        logger: this.host.logger,
        auth: this.auth,
        earlyStarts: this.host.earlyStarts,
        trouble: this.trouble,
        newClient: () => this.newClient(),
        // Kept until connected, so stop() can end a backend that is still starting (its process too).
        track: (starting, connecting) => {
          if (connecting) this.starting = starting;
          else if (this.starting === starting) this.starting = undefined;
        },
      });
      client = opened.client;
      if (generation !== this.generation) {
        await client.close();
        return;
      }
      this.transport = opened.transport;
      this.client = client;
      this.relay = DirectCallRelay.attach(this.name, client, this.timeoutMs);
      this.capabilities = client.getServerCapabilities();
      let closed = false;
      client.onclose = () => {
        closed = true;
        this.onConnectionLost(generation);
      };
      await this.refreshAll(() => closed);
      await this.renewSession();
      if (generation !== this.generation) return;
      if (closed) throw new Error(this.lostMessage());
      this.connectedAt = Date.now();
      this.setState('connected', undefined);
    } catch (error) {
      if (generation !== this.generation) {
        await client?.close().catch(() => undefined);
        return;
      }
      this.client = undefined;
      this.dropRelay('the connection failed.');
      await client?.close().catch(() => undefined);
      // Over SSE the transport reports only a message, so the reason is also kept by the proxy's auth.
      const needsSignIn = findNeedsSignIn(error)?.message ?? this.auth?.takeNeedsSignIn();
      if (needsSignIn !== undefined && this.auth) this.waitForSignIn(needsSignIn);
      else this.fail(failureText(error), error instanceof CannotStartError);
    }
  }

  /**
   * Signs in to the proxy's server (the browser, the callback, the tokens),
   * then connects with the new tokens. Rejects with one sentence when it
   * cannot; the proxy then still needs sign-in.
   */
  async signIn(): Promise<void> {
    const auth = this.auth;
    if (!auth) throw new Error(`Proxy "${this.name}" does not sign in: it is not a url proxy that has tried to connect (or its entry says oauth: false or sends its own Authorization header).`);
    const signing = auth.signIn();
    this.host.onDidChangeState(this); // Shows the sign-in in progress.
    try {
      await signing;
    } catch (error) {
      if (this.state === 'needs-sign-in') this.setState('needs-sign-in', `${failureText(error)} ${this.host.signInHost?.retryAdvice ?? ''}`.trim());
      else this.host.onDidChangeState(this);
      throw error;
    }
    if (this.state === 'stopped') return; // Removed, or its entry changed, meanwhile: this backend is done.
    this.attempt = 0;
    void this.connect(); // Errors become the state.
  }

  /** Forgets the proxy's tokens and client registration, and connects again (so it needs sign-in). */
  async signOut(): Promise<void> {
    await this.forgetSignIn();
    if (this.mount.entry.enabled !== false && this.mount.blockedReason === undefined) await this.restart();
  }

  /** Deletes the proxy's tokens and client registration: its server's, or (never connected here) every one kept under its name. */
  async forgetSignIn(): Promise<void> {
    if (this.auth) await this.auth.signOut();
    else await this.host.signInHost?.store.forget(this.name);
  }

  /** Cancels the sign-in in progress, if any. */
  async cancelSignIn(): Promise<void> {
    await this.auth?.cancelSignIn();
  }

  /** Whether a sign-in is waiting for the browser. */
  get isSigningIn(): boolean {
    return this.auth?.isSigningIn ?? false;
  }

  /** The server wants a sign-in: wait for it (no retry loop), or start it where the host signs in by itself. */
  private waitForSignIn(reason: string): void {
    clearTimeout(this.retryTimer);
    const host = this.host.signInHost;
    const auth = this.auth;
    this.host.logger.warn(`needs sign-in: ${reason}`, this.name);
    if (!host || !auth) return this.setState('needs-sign-in', reason);
    if (!host.signsInByItself) return this.setState('needs-sign-in', `${reason} ${host.signInAdvice}`);
    if (!this.host.mayOpenBrowserFor(this.name)) {
      return this.setState('needs-sign-in', `${reason} The agent added it, so the switchboard opens no browser for it by itself: restart the switchboard to sign in.`);
    }
    this.setState('needs-sign-in', `${reason} ${host.openingAdvice}`);
    if (!auth.isSigningIn) void this.signIn().catch((error: unknown) => this.host.logger.warn(failureText(error), this.name)); // Its failure is the state.
  }

  /** A connected proxy's server stopped taking its tokens (revoked, expired for good, more scope asked): drop the connection and wait for sign-in. */
  private lostSignIn(reason: string): void {
    if (this.state !== 'connected') return; // While connecting, connect() sees the error.
    const client = this.client;
    this.generation++;
    this.client = undefined;
    this.dropRelay(`the proxy needs sign-in: ${reason}`);
    this.clearLists();
    this.waitForSignIn(reason);
    void client?.close().catch(() => undefined); // The connection is over; closing cannot fail in a way that matters.
  }

  private onConnectionLost(generation: number): void {
    // While connecting, connect() itself sees the failure and reports it.
    if (generation !== this.generation || this.state !== 'connected') return;
    this.client = undefined;
    this.dropRelay(this.transport === 'stdio' ? 'the process exited during the call.' : 'the connection closed during the call.');
    if (Date.now() - this.connectedAt >= BACKOFF_RESET_AFTER_MS) this.attempt = 0;
    this.clearLists();
    this.fail(this.lostMessage());
  }

  private lostMessage(): string {
    return this.transport === 'stdio' ? 'The process exited.' : 'The connection was closed.';
  }

  private fail(message: string, cannotStart = false): void {
    clearTimeout(this.retryTimer);
    const delay = cannotStart ? CANNOT_START_RETRY_MS : backoffDelay(this.attempt++);
    const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
    const retry = cannotStart
      ? `Trying again every ${CANNOT_START_RETRY_MS / 60_000} minutes, or at once when its entry changes or it is restarted.`
      : `Retrying in ${Math.round(delay / 1000)} s.`;
    this.setState('error', `${sentence} ${retry}`);
    // The same failure again is no news: one warning for a run of them.
    if (sentence === this.lastFailure) this.host.logger.debug(`${sentence} ${retry}`, this.name);
    else this.host.logger.warn(`${sentence} ${retry}`, this.name);
    this.lastFailure = sentence;
    const generation = this.generation;
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) void this.connect(); // Errors become the state.
    }, delay);
    this.retryTimer.unref();
  }

  private dropRelay(message: string): void {
    this.relay?.closeAll(message);
    this.relay = undefined;
  }

  private newClient(): Client {
    return createBackendClient(this.host.clientInfo, {
      onListChanged: (kind) => void this.refresh(kind),
      onLogMessage: (params) => this.host.onLogMessage(this, params),
      onResourceUpdated: (uri) => this.host.onResourceUpdated(this, uri),
      onTaskStatus: (params) => this.host.onTaskStatus(this, params),
      onReverseRequest: (request, extra) => this.host.onReverseRequest(this, request, extra),
      onClientTaskRequest: (method, params, extra) => this.host.onClientTaskRequest(this, method, params, extra),
      onUnknownAnswer: (detail) => this.trouble.report('unknown-id', `answered a request the switchboard never sent (ignored): ${detail}`),
      onTransportError: (message) => this.host.logger.debug(`transport: ${message}`, this.name),
    });
  }

  /** Re-reads one list after the backend said it changed, then tells the host. */
  private refresh(kind: ListKind): Promise<void> {
    const running = this.refreshing.get(kind);
    if (running) return running.then(() => this.refresh(kind));
    const generation = this.generation;
    const work = this.fetchList(kind)
      .then(() => {
        if (generation === this.generation && this.state === 'connected') this.host.onDidChangeList(this, kind);
      })
      .catch((error: unknown) => this.host.logger.warn(`could not refresh its ${kind}: ${String(error)}`, this.name))
      .finally(() => this.refreshing.delete(kind));
    this.refreshing.set(kind, work);
    return work;
  }

  /** Reads every list after connecting. One list failing (a backend bug) leaves it empty rather than the proxy down. */
  private async refreshAll(closed: () => boolean): Promise<void> {
    await Promise.all(
      LIST_KINDS.map((kind) =>
        this.fetchList(kind).catch((error: unknown) => {
          if (closed()) throw new Error(this.lostMessage()); // The connection itself failed: that is the error to report.
          if (findNeedsSignIn(error)) throw error; // A server that lets initialize through may ask for sign-in at its first list.
          this.host.logger.warn(`could not list its ${kind}: ${error instanceof Error ? error.message : String(error)}`, this.name);
        }),
      ),
    );
  }

  private async fetchList(kind: ListKind): Promise<void> {
    if (this.client) await this.lists.fetch(kind, this.client, this.capabilities ?? {});
  }

  /** After a (re)connect: the client's logging level and resource subscriptions apply again. */
  private async renewSession(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const level = this.host.loggingLevel();
    if (level && this.capabilities?.logging) await client.setLoggingLevel(level).catch(() => undefined);
    if (this.capabilities?.resources?.subscribe) {
      await Promise.all([...this.subscriptions].map((uri) => client.subscribeResource({ uri }).catch(() => undefined)));
    }
  }

  private clearLists(): void {
    this.capabilities = undefined;
    if (this.lists.clear()) for (const kind of LIST_KINDS) this.host.onDidChangeList(this, kind);
  }

  private setState(state: ProxyState, error: string | undefined): void {
    if (this.state === state && this.error === error) return;
    const failing = state === 'error' || (state === 'connecting' && this.state === 'error');
    if (failing) {
      this.failingSince ??= new Date();
    } else {
      this.failingSince = undefined;
      this.lastFailure = undefined;
    }
    this.state = state;
    this.error = error;
    this.since = this.failingSince ?? new Date();
    if (state !== 'connecting' && !this.firstAttemptSettled) {
      this.firstAttemptSettled = true;
      this.settleFirstAttempt();
    }
    this.host.onDidChangeState(this);
  }
}
