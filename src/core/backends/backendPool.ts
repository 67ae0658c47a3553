import { createHash } from 'node:crypto';
import type { LoggingMessageNotification, Result, TaskStatusNotification } from '@modelcontextprotocol/sdk/types.js';
import type { ClientTaskMethod } from '../front/reverseRouting';
import type { Logger } from '../logger';
import { failureText } from '../errors';
import { expandEntry } from '../registry/expand';
import { connectionText, type ProxyMount } from '../registry/registry';
import { Backend } from './backend';
import type { ReverseRequest, ReverseRequestExtra } from './backendClient';
import type { BackendHost } from './backendHost';
import type { ListKind } from './backendLists';

/** What the pool needs of a view (one Switchboard: its registry, its clients) that holds backends. */
export interface PoolHolder extends BackendHost {
  /** Whether this view serves the client session of that id. */
  hasSession(sessionId: string): boolean;
  /** How many clients this view serves now. */
  readonly sessionCount: number;
  /** Whether a client of this view subscribes to that resource. */
  subscribes(uri: string): boolean;
  /** Where this view keeps sign-ins: views share a url backend only when they keep its tokens in the same place. */
  readonly signInRealm: string;
}

/**
 * The backends of every view in one process, shared: two views (two VS Code
 * windows, or a window and the `connect` clients) whose entries of one name
 * reach the backend the same way, once expanded for each view, hold one
 * connection and one process. An entry with `${workspaceFolder}` that
 * differs between windows, or a window's own workspace entry, gets its own.
 * The last view to let go stops the backend.
 */
export class BackendPool {
  private readonly pooled = new Map<string, PooledBackend>();
  private readonly keys = new WeakMap<Backend, string>();

  /**
   * What makes two views' backends one: the name, how the entry reaches the
   * backend once expanded, why it is blocked, and where its sign-ins live.
   * Hashed, so the expanded secrets are not kept in a readable key.
   */
  keyFor(holder: PoolHolder, name: string, mount: ProxyMount): string {
    let connection: string;
    try {
      connection = connectionText(expandEntry(mount.entry, holder.expansion()));
    } catch (error) {
      connection = `${connectionText(mount.entry)}\0${failureText(error)}`; // It fails alike for every view that has the same gap.
    }
    const realm = mount.entry.url === undefined ? '' : holder.signInRealm;
    return createHash('sha256').update([name, realm, mount.blockedReason ?? '', connection].join('\0')).digest('base64url');
  }

  /** Whether `backend` is the one this key names (its view may keep it, taking the new mount). */
  matches(backend: Backend, key: string): boolean {
    return this.keys.get(backend) === key;
  }

  /** The backend for a view's mount under `key`: the one another view holds already, or a new one that the caller starts (`isNew`). */
  acquire(holder: PoolHolder, key: string, name: string, mount: ProxyMount): { backend: Backend; isNew: boolean } {
    const existing = this.pooled.get(key);
    if (existing) {
      existing.host.add(holder);
      return { backend: existing.backend, isNew: false };
    }
    const host = new PooledBackendHost(holder);
    const backend = new Backend(name, mount, host);
    this.pooled.set(key, { backend, host });
    this.keys.set(backend, key);
    return { backend, isNew: true };
  }

  /** A view lets go of a backend; the last one's release stops it. Resolves with whether it stopped. */
  async release(holder: PoolHolder, backend: Backend): Promise<boolean> {
    const key = this.keys.get(backend);
    const pooled = key === undefined ? undefined : this.pooled.get(key);
    if (!pooled || pooled.backend !== backend) return false;
    pooled.host.remove(holder);
    if (pooled.host.holderCount > 0) return false;
    this.pooled.delete(key as string);
    await backend.stop();
    return true;
  }

  /** Whether a view other than `holder` that holds the backend has a client subscribed to the resource. */
  subscribedElsewhere(holder: PoolHolder, backend: Backend, uri: string): boolean {
    const key = this.keys.get(backend);
    const pooled = key === undefined ? undefined : this.pooled.get(key);
    return pooled?.host.holders.some((other) => other !== holder && other.subscribes(uri)) ?? false;
  }
}

interface PooledBackend {
  readonly backend: Backend;
  readonly host: PooledBackendHost;
}

/**
 * The host of a backend that several views hold. What it asks (values for
 * `${…}`, the sign-in host) comes from the view that holds it longest, all
 * views having expanded it alike; what it reports goes to every view, and a
 * request for a client goes to the view whose client's call is running on
 * it, else to one that has clients.
 */
class PooledBackendHost implements BackendHost {
  readonly holders: PoolHolder[];
  /** The view the backend asks when none holds it any more (while it stops). */
  private last: PoolHolder;
  readonly logger: Logger;

  constructor(first: PoolHolder) {
    this.holders = [first];
    this.last = first;
    const each =
      (level: keyof Logger) =>
      (line: string, proxy?: string): void => {
        for (const holder of this.holders) holder.logger[level](line, proxy);
      };
    this.logger = { debug: each('debug'), info: each('info'), warn: each('warn'), error: each('error') };
  }

  get holderCount(): number {
    return this.holders.length;
  }

  add(holder: PoolHolder): void {
    if (!this.holders.includes(holder)) this.holders.push(holder);
  }

  remove(holder: PoolHolder): void {
    const index = this.holders.indexOf(holder);
    if (index !== -1) this.holders.splice(index, 1);
    this.last = this.holders[0] ?? holder;
  }

  private get first(): PoolHolder {
    return this.holders[0] ?? this.last;
  }

  get clientInfo() {
    return this.first.clientInfo;
  }

  get earlyStarts() {
    return this.first.earlyStarts;
  }

  get signInHost() {
    return this.holders.find((holder) => holder.signInHost)?.signInHost ?? this.last.signInHost;
  }

  mayOpenBrowserFor(name: string): boolean {
    return this.holders.every((holder) => holder.mayOpenBrowserFor(name));
  }

  expansion() {
    return this.first.expansion();
  }

  loggingLevel() {
    return this.holders.map((holder) => holder.loggingLevel()).find((level) => level !== undefined);
  }

  onDidChangeState(backend: Backend): void {
    for (const holder of this.holders) holder.onDidChangeState(backend);
  }

  onDidChangeList(backend: Backend, kind: ListKind): void {
    for (const holder of this.holders) holder.onDidChangeList(backend, kind);
  }

  onLogMessage(backend: Backend, params: LoggingMessageNotification['params']): void {
    // During a call, the message belongs to that call's client alone.
    const call = backend.newestCall;
    const owner = call && this.holders.find((holder) => holder.hasSession(call.sessionId));
    for (const holder of owner ? [owner] : this.holders) holder.onLogMessage(backend, params);
  }

  onResourceUpdated(backend: Backend, uri: string): void {
    for (const holder of this.holders) holder.onResourceUpdated(backend, uri);
  }

  onTaskStatus(backend: Backend, params: TaskStatusNotification['params']): void {
    for (const holder of this.holders) holder.onTaskStatus(backend, params); // Only the view whose client made the task knows it.
  }

  async onReverseRequest(backend: Backend, request: ReverseRequest, extra: ReverseRequestExtra): Promise<Result> {
    return await this.answering(backend).onReverseRequest(backend, request, extra);
  }

  async onClientTaskRequest(backend: Backend, method: ClientTaskMethod, params: Record<string, unknown>, extra: ReverseRequestExtra): Promise<Result> {
    return await this.answering(backend).onClientTaskRequest(backend, method, params, extra);
  }

  /** The view whose client's call runs on the backend now, else the first with clients, else the first. */
  private answering(backend: Backend): PoolHolder {
    const call = backend.newestCall;
    return (
      (call && this.holders.find((holder) => holder.hasSession(call.sessionId))) ??
      this.holders.find((holder) => holder.sessionCount > 0) ??
      this.first
    );
  }
}
