import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  type Implementation,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Result,
  type TaskStatusNotification,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from './backends/backend';
import { BackendPool, type PoolHolder } from './backends/backendPool';
import type { ReverseRequest, ReverseRequestExtra } from './backends/backendClient';
import type { ListKind } from './backends/backendLists';
import { backendStatus } from './backends/backendStatus';
import { Catalog } from './surface/catalog';
import { type ProxyView, proxyViewOf, type ViewedBackend } from './surface/proxyView';
import type { EarlyStarts } from './backends/earlyStarts';
import type { SignInHost } from './oauth/signInHost';
import type { ExpansionContext } from './registry/expand';
import { DEFAULT_FIRST_LIST_GRACE_MS, MAX_FIRST_LIST_GRACE_MS } from './registry/limits';
import type { Logger } from './logger';
import { describeTarget, type ProxyMount, sameEntry } from './registry/registry';
import type { ProxyStatus } from './status';
import { ToolIndex } from './surface/toolSearch';
import { CALL_TOOL, DEFAULT_SURFACE, SEARCH_TOOL, type SessionSurface, type SurfaceSettings } from './surface/toolSurface';
import { forwardLogMessage, forwardResourceUpdated, forwardTaskStatus } from './front/backendNotifications';
import { ListChangeNotices } from './front/listChanges';
import { type ClientTaskMethod, ReverseRouter } from './front/reverseRouting';
import { TaskTable } from './front/tasks';

/** The lists a client can ask for; the first of each in a session waits for proxies still connecting. */
export type FrontListKind = 'tools' | 'resources' | 'templates' | 'prompts';

/** One connected client of the front, whatever its transport. */
export interface FrontSession {
  readonly id: string;
  readonly server: Server;
  /** The level the client asked for with logging/setLevel; messages below it are not sent. */
  logLevel: LoggingLevel | undefined;
  readonly subscriptions: Set<string>;
  /** The kinds of list this client has asked for at least once. */
  readonly listed: Set<FrontListKind>;
  /** What this client can see and call of the tools, and how they are shown to it. */
  readonly surface: () => SessionSurface;
}

export interface SwitchboardOptions {
  readonly logger: Logger;
  readonly clientInfo: Implementation;
  /** Values for `${…}` variables, read at each connect so new secrets apply. */
  readonly expansion: () => ExpansionContext;
  /** The switchboard's own tools, listed before every proxy's. */
  readonly ownTools: readonly Tool[];
  /** How long a session's first list waits for proxies still making their first connection (default 2 s). */
  readonly firstListGraceMs?: number;
  /** Stdio backends the CLI started before loading the engine, for the backends to take over. */
  readonly earlyStarts?: EarlyStarts;
  /** The browser and credential store for proxies whose servers ask for OAuth sign-in. */
  readonly signInHost?: SignInHost;
  /**
   * Whether a proxy gone from the registry takes its tokens with it: yes for
   * the CLI's file; not in VS Code, where an entry also leaves the registry
   * while it is being mistyped, and the extension deletes them on Remove.
   */
  readonly forgetSignInOfRemoved?: boolean;
  /** The backends this switchboard shares with others in the process (the views of one user switchboard); its own by default. */
  readonly pool?: BackendPool;
  /** Where its sign-ins are kept (see PoolHolder): views in one pool share a url backend only within one realm. */
  readonly signInRealm?: string;
}

/**
 * The aggregating engine, as one view of it: a registry's mounted backends,
 * the front catalog built from them, and the client sessions that see it.
 * Registry changes are diffed so unchanged proxies stay connected and clients
 * never reconnect. Views in one process (the user's switchboard and each VS
 * Code window attached to it) take their backends from one BackendPool.
 */
export class Switchboard implements PoolHolder {
  readonly logger: Logger;
  readonly clientInfo: Implementation;
  readonly earlyStarts: EarlyStarts | undefined;
  readonly signInHost: SignInHost | undefined;
  readonly signInRealm: string;
  private readonly options: SwitchboardOptions;
  private readonly pool: BackendPool;
  /** In registry order: earlier proxies win name and URI clashes. */
  private backends = new Map<string, Backend>();
  /** What this view shows of each proxy (its own prefix, filters and scope), by name. */
  private views = new Map<string, ProxyView>();
  private catalogCache: Catalog | undefined;
  /** The catalog built last, current or not: the next one takes the tools of unchanged proxies from it. */
  private lastCatalog: Catalog | undefined;
  private readonly sessions = new Map<string, FrontSession>();
  private readonly listChanges = new ListChangeNotices(this.sessions);
  private lastLoggingLevel: LoggingLevel | undefined;
  private readonly statusListeners = new Set<() => void>();
  private surfaceSettings: SurfaceSettings = DEFAULT_SURFACE;
  private readonly toolIndex = new ToolIndex();
  /** The tasks clients made through the switchboard, and where each runs. */
  readonly tasks = new TaskTable();
  private readonly reverse = new ReverseRouter(this.sessions, this.tasks);
  /** Catalog warnings already logged: a clash is said once, not again at every reconnect. */
  private readonly loggedWarnings = new Set<string>();
  private closed = false;
  private readonly createdAt = Date.now();
  private readonly firstListGraceMs: number;
  private registryApplied = false;
  /** Proxies the agent added in this process's life. */
  private readonly addedByAgent = new Set<string>();
  private settleFirstRegistry: () => void = () => undefined;
  private readonly firstRegistry = new Promise<void>((resolve) => (this.settleFirstRegistry = resolve));

  constructor(options: SwitchboardOptions) {
    this.options = options;
    this.logger = options.logger;
    this.clientInfo = options.clientInfo;
    this.earlyStarts = options.earlyStarts;
    this.signInHost = options.signInHost;
    this.signInRealm = options.signInRealm ?? 'own';
    this.pool = options.pool ?? new BackendPool();
    this.firstListGraceMs = Math.min(Math.max(options.firstListGraceMs ?? DEFAULT_FIRST_LIST_GRACE_MS, 0), MAX_FIRST_LIST_GRACE_MS);
  }

  /** The current front view; rebuilt only after something changed. */
  get catalog(): Catalog {
    if (!this.catalogCache) {
      const connected = [...this.backends.values()].filter((backend) => backend.state === 'connected').map((backend) => this.viewed(backend));
      this.catalogCache = new Catalog(connected, this.options.ownTools, [SEARCH_TOOL, CALL_TOOL], this.lastCatalog);
      this.lastCatalog = this.catalogCache;
      this.logNewWarnings(this.catalogCache.warnings);
    }
    return this.catalogCache;
  }

  /**
   * Mounts a new registry: connects what is new or changed, closes what is gone,
   * leaves the rest connected, and keeps the registry's order.
   */
  applyRegistry(mounts: Readonly<Record<string, ProxyMount>>): void {
    if (this.closed) return;
    this.registryApplied = true;
    this.settleFirstRegistry();
    const views = new Map<string, ProxyView>();
    const next = new Map<string, Backend>();
    const stopping: Backend[] = [];
    const added: Backend[] = [];
    for (const [name, mount] of Object.entries(mounts)) {
      const current = this.backends.get(name);
      const key = this.pool.keyFor(this, name, mount);
      const shown = this.views.get(name);
      views.set(name, shown && sameEntry(shown.mount.entry, mount.entry) && shown.mount.scope === mount.scope ? shown : proxyViewOf(mount));
      if (current && this.pool.matches(current, key)) {
        if (shown && !sameEntry(shown.mount.entry, mount.entry)) this.logger.info('Its tool filter or prefix changed; applied without reconnecting.', name);
        next.set(name, current);
        continue;
      }
      if (current) stopping.push(current);
      const { backend, isNew } = this.pool.acquire(this, key, name, mount);
      next.set(name, backend);
      if (isNew) added.push(backend);
      else this.logger.info(`Shares the connection another view has: ${backend.state}.`, name);
    }
    for (const [name, backend] of this.backends) {
      if (!Object.hasOwn(mounts, name)) stopping.push(backend);
    }
    this.backends = next;
    this.views = views;
    for (const backend of stopping) {
      this.tasks.dropBackend(backend);
      this.reverse.clientTasks.drop({ backend });
      this.reverse.dropBackend(backend);
      this.logger.info(next.has(backend.name) ? 'Changed; reconnecting.' : 'Removed.', backend.name);
      const removed = !next.has(backend.name) && this.options.forgetSignInOfRemoved === true;
      // Ending a process takes a moment; nothing waits on it. A removed proxy's tokens go with it, after any sign-in
      // ended, unless another view still holds it.
      void this.pool
        .release(this, backend)
        .then((stopped) => (stopped && removed ? backend.forgetSignIn() : undefined))
        .catch((error: unknown) => this.logger.warn(`could not delete its sign-in: ${String(error)}`, backend.name));
    }
    for (const backend of added) {
      this.logger.info(`Mounting ${describeTarget(backend.mount.entry)}`, backend.name);
      backend.start();
    }
    // Every backend that would start a process started early has taken it by now; the rest go.
    this.earlyStarts?.dispose();
    this.invalidate(['tools', 'resources', 'prompts']);
    this.fireStatus();
  }

  /** How tools are shown: all, search or auto, its threshold, and the profiles. */
  get surface(): SurfaceSettings {
    return this.surfaceSettings;
  }

  /** Applies new surface settings or profiles, live: clients hear tools/list_changed. */
  configureSurface(settings: SurfaceSettings): void {
    if (JSON.stringify(settings) === JSON.stringify(this.surfaceSettings)) return;
    this.surfaceSettings = settings;
    this.invalidate(['tools']);
  }

  /** The best matches for a query among the proxies' tools that `accept` lets through; the index follows the catalog. */
  searchTools(query: string, limit: number, accept: (tool: Tool) => boolean): Tool[] {
    this.toolIndex.update(this.catalog);
    return this.toolIndex.search(query, limit, accept);
  }

  /** Restarts one proxy's connection (and process), if it is mounted. */
  async restartProxy(name: string): Promise<boolean> {
    const backend = this.backends.get(name);
    if (!backend) return false;
    await backend.restart();
    return true;
  }

  /** Signs a proxy in (browser, callback, tokens) and reconnects it; rejects with one sentence when it cannot. */
  async signIn(name: string): Promise<void> {
    const backend = this.backends.get(name);
    if (!backend) throw new Error(`There is no proxy "${name}" to sign in to.`);
    await backend.signIn();
  }

  /**
   * Remembers that the agent added this proxy: where sign-ins open the
   * browser by themselves (the CLI), one for a server the agent chose waits
   * for the user instead, so the agent cannot open pages in the user's browser.
   */
  noteAddedByAgent(name: string): void {
    this.addedByAgent.add(name);
  }

  /** Whether a sign-in for this proxy may open the browser without the user asking. */
  mayOpenBrowserFor(name: string): boolean {
    return !this.addedByAgent.has(name);
  }

  /** Cancels a proxy's sign-in in progress, if any. */
  async cancelSignIn(name: string): Promise<void> {
    await this.backends.get(name)?.cancelSignIn();
  }

  /** Forgets a proxy's tokens and client registration; it then needs sign-in again. */
  async signOut(name: string): Promise<void> {
    const backend = this.backends.get(name);
    if (!backend) throw new Error(`There is no proxy "${name}" to sign out of.`);
    await backend.signOut();
  }

  /** The mounted backend of that name. */
  backend(name: string): Backend | undefined {
    return this.backends.get(name);
  }

  /**
   * The proxy that is not connected now but whose prefix a front name carries:
   * a client calling a tool it listed before the proxy went down learns why.
   */
  unavailableOwner(frontName: string): Backend | undefined {
    for (const backend of this.backends.values()) {
      if (backend.state === 'connected') continue;
      const prefix = this.viewed(backend).view.mount.entry.prefix ?? backend.name;
      if (prefix !== '' && frontName.startsWith(`${prefix}_`)) return backend;
    }
    return undefined;
  }

  /** What every proxy looks like now, in registry order. */
  statuses(): ProxyStatus[] {
    const catalog = this.catalog;
    return [...this.backends.values()].map((backend) => backendStatus(backend, catalog, this.viewed(backend).view));
  }

  /** Calls `listener` after proxy states or lists change. Returns a function that unsubscribes. */
  onDidChangeStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Resolves once the proxy exists and is no longer connecting, or after `timeoutMs`. */
  whenSettled(name: string, timeoutMs: number): Promise<Backend | undefined> {
    const settled = () => {
      const backend = this.backends.get(name);
      return backend && backend.state !== 'connecting' ? backend : undefined;
    };
    const now = settled();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(this.backends.get(name)), timeoutMs);
      const unsubscribe = this.onDidChangeStatus(() => {
        const backend = settled();
        if (backend) finish(backend);
      });
      const finish = (backend: Backend | undefined) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(backend);
      };
    });
  }

  /**
   * Resolves when a session may answer its first list of this kind: once every
   * proxy has ended its first connection attempt, or has had the grace since it
   * was mounted. Clients that list once, right after connecting, then see every
   * proxy that comes up in time; a hanging one delays only that first list, by
   * at most the grace. Returns undefined (nothing to wait for) in every other case.
   */
  firstListReady(session: FrontSession, kind: FrontListKind): Promise<void> | undefined {
    if (session.listed.has(kind)) return undefined;
    session.listed.add(kind);
    const deadline = (from: number) => Math.max(0, from + this.firstListGraceMs - Date.now());
    const pending = [...this.backends.values()].filter((backend) => !backend.firstAttemptSettled);
    if (this.registryApplied && pending.length === 0) return undefined;
    // Looked up again once the first registry is in: before it, there are no backends to wait for yet.
    const waitForBackends = () =>
      Promise.all(
        [...this.backends.values()]
          .filter((backend) => !backend.firstAttemptSettled)
          .map((backend) => within(backend.firstAttempt, deadline(backend.startedAt ?? Date.now()))),
      );
    return within(this.firstRegistry, deadline(this.createdAt))
      .then(waitForBackends)
      .then(() => undefined);
  }

  /** Registers a client session; the returned function detaches it (e.g. when the client goes away). */
  attachSession(session: FrontSession): () => void {
    this.sessions.set(session.id, session);
    return () => {
      this.sessions.delete(session.id);
      this.tasks.dropSession(session.id);
      this.reverse.clientTasks.drop({ sessionId: session.id });
      for (const uri of session.subscriptions) void this.unsubscribe(session, uri).catch(() => undefined);
    };
  }

  /** Subscribes a session to a resource's updates, subscribing the backend once for all sessions. */
  async subscribe(session: FrontSession, uri: string, backend: Backend): Promise<void> {
    session.subscriptions.add(uri);
    if (backend.subscriptions.has(uri)) return;
    backend.subscriptions.add(uri);
    await backend.request('resources/subscribe', { uri });
  }

  /** Ends a session's subscription; the backend's ends when no session wants it. */
  async unsubscribe(session: FrontSession, uri: string): Promise<void> {
    session.subscriptions.delete(uri);
    if (this.subscribes(uri)) return;
    const backend = this.catalog.resourceBackend(uri);
    if (!backend || this.pool.subscribedElsewhere(this, backend, uri) || !backend.subscriptions.delete(uri)) return;
    await backend.request('resources/unsubscribe', { uri });
  }

  /** Passes a client's logging level on to every backend that logs. */
  setLoggingLevel(level: LoggingLevel): void {
    this.lastLoggingLevel = level;
    for (const backend of this.backends.values()) backend.setLoggingLevel(level);
  }

  /** Tells every backend the client's roots changed. */
  notifyRootsChanged(): void {
    for (const backend of this.backends.values()) backend.notifyRootsChanged();
  }

  /** Stops every backend (and its processes). */
  async close(): Promise<void> {
    this.closed = true;
    this.earlyStarts?.dispose();
    this.listChanges.dispose();
    await Promise.all([...this.backends.values()].map((backend) => this.pool.release(this, backend)));
  }

  // PoolHolder: what the pool asks of the views that share a backend.

  hasSession(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  subscribes(uri: string): boolean {
    return [...this.sessions.values()].some((session) => session.subscriptions.has(uri));
  }

  // BackendHost: what backends report.

  expansion(): ExpansionContext {
    return this.options.expansion();
  }

  loggingLevel(): LoggingLevel | undefined {
    return this.lastLoggingLevel;
  }

  onDidChangeState(backend: Backend): void {
    // A backend logs its own failures (once for a run of the same one).
    if (backend.state !== 'error') this.logger.info(backend.state === 'connected' ? `connected: ${backend.tools.length} tools` : backend.state, backend.name);
    if (this.backends.get(backend.name) !== backend) return;
    // Only connected backends are in the catalog; one that leaves it clears its lists, which invalidates what it had.
    if (backend.state === 'connected') this.invalidate(['tools', 'resources', 'prompts']);
    this.fireStatus();
  }

  onDidChangeList(backend: Backend, kind: ListKind): void {
    if (this.backends.get(backend.name) !== backend) return;
    this.invalidate([kind]);
    this.fireStatus();
  }

  onLogMessage(backend: Backend, params: LoggingMessageNotification['params']): void {
    forwardLogMessage(backend, params, this.sessions);
  }

  onResourceUpdated(backend: Backend, uri: string): void {
    forwardResourceUpdated(uri, this.sessions);
    this.logger.debug(`resource updated: ${uri}`, backend.name);
  }

  onTaskStatus(backend: Backend, params: TaskStatusNotification['params']): void {
    forwardTaskStatus(backend, params, this.tasks, this.sessions);
  }

  /** A backend's request for the client (sampling, elicitation, roots): see ReverseRouter for where it goes. */
  async onReverseRequest(backend: Backend, request: ReverseRequest, extra: ReverseRequestExtra): Promise<Result> {
    return await this.reverse.request(backend, request, extra.signal);
  }

  /** A backend asks about a task a client runs for it. */
  async onClientTaskRequest(backend: Backend, method: ClientTaskMethod, params: Record<string, unknown>, extra: ReverseRequestExtra): Promise<Result> {
    return await this.reverse.taskRequest(backend, method, params, extra.signal);
  }

  /** A client tells the status of a task it runs for a backend. */
  onClientTaskStatus(session: FrontSession, params: TaskStatusNotification['params']): void {
    this.reverse.clientTaskStatus(session, params);
  }

  /** A backend of this view's, with what this view shows of it. */
  private viewed(backend: Backend): ViewedBackend {
    return { backend, view: this.views.get(backend.name) ?? proxyViewOf(backend.mount) };
  }

  private invalidate(kinds: readonly ListKind[]): void {
    this.catalogCache = undefined;
    this.listChanges.add(kinds);
  }

  private fireStatus(): void {
    for (const listener of this.statusListeners) listener();
  }

  private logNewWarnings(warnings: readonly string[]): void {
    for (const warning of warnings) {
      if (this.loggedWarnings.has(warning)) continue;
      this.loggedWarnings.add(warning);
      this.logger.warn(warning);
    }
  }
}

/** Resolves when `promise` does or after `ms`, whichever is first. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([promise.then(() => undefined), elapsed]).finally(() => clearTimeout(timer));
}
