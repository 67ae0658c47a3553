import { randomUUID } from 'node:crypto';
import type { Backend } from '../backends/backend';

/** Where the spec puts the task a message belongs to, in `_meta`. */
export const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/** A task as the switchboard knows it: the client session that made it, and the backend that runs it. */
export interface TaskRoute {
  readonly sessionId: string;
  readonly frontId: string;
  readonly backend: Backend;
  readonly backendId: string;
}

/**
 * The tasks (protocol 2025-11-25) that clients made through the switchboard.
 * A client sees a task by an id the switchboard gave it, random and its own:
 * two backends' ids cannot collide on the front, and a client can neither see
 * nor guess nor cancel another client's task, since every lookup goes by session.
 */
export class TaskTable {
  private readonly byFront = new Map<string, TaskRoute>();
  private readonly byBackend = new Map<Backend, Map<string, TaskRoute>>();

  /** Records a task a backend made for a session's call; returns the id its client knows it by. */
  add(sessionId: string, backend: Backend, backendId: string): string {
    const route: TaskRoute = { sessionId, frontId: `${backend.name}-${randomUUID()}`, backend, backendId };
    this.byFront.set(route.frontId, route);
    let ofBackend = this.byBackend.get(backend);
    if (!ofBackend) this.byBackend.set(backend, (ofBackend = new Map()));
    ofBackend.set(backendId, route);
    return route.frontId;
  }

  /** The task a session knows by `frontId`; undefined for another session's task, as for one that does not exist. */
  forSession(sessionId: string, frontId: string): TaskRoute | undefined {
    const route = this.byFront.get(frontId);
    return route?.sessionId === sessionId ? route : undefined;
  }

  /** The task a backend knows by `backendId`. */
  fromBackend(backend: Backend, backendId: string): TaskRoute | undefined {
    return this.byBackend.get(backend)?.get(backendId);
  }

  /** Every task of a session. */
  ofSession(sessionId: string): TaskRoute[] {
    return [...this.byFront.values()].filter((route) => route.sessionId === sessionId);
  }

  /** Forgets the tasks of a session that ended. */
  dropSession(sessionId: string): void {
    for (const route of this.ofSession(sessionId)) this.drop(route);
  }

  /** Forgets the tasks of a backend that was stopped: it no longer knows them either. */
  dropBackend(backend: Backend): void {
    for (const route of this.byBackend.get(backend)?.values() ?? []) this.byFront.delete(route.frontId);
    this.byBackend.delete(backend);
  }

  private drop(route: TaskRoute): void {
    this.byFront.delete(route.frontId);
    this.byBackend.get(route.backend)?.delete(route.backendId);
  }
}

/** A copy of a task object with its id replaced. */
export function withTaskId<T extends object>(task: T, taskId: string): T & { taskId: string } {
  return { ...task, taskId };
}

/** A copy of `_meta` whose related-task id is replaced, or the same object when it has none. */
export function withRelatedTask(meta: Record<string, unknown> | undefined, taskId: (id: string) => string | undefined): Record<string, unknown> | undefined {
  const related = meta?.[RELATED_TASK] as { taskId?: unknown } | undefined;
  if (!meta || typeof related?.taskId !== 'string') return meta;
  const renamed = taskId(related.taskId);
  return renamed === undefined ? meta : { ...meta, [RELATED_TASK]: { ...related, taskId: renamed } };
}

/** A task a client runs for a backend (a task-augmented sampling or elicitation request). */
interface ClientTaskRoute {
  readonly backend: Backend;
  /** The id the backend knows it by: the switchboard's, so two clients' ids never collide on one connection. */
  readonly backendId: string;
  readonly sessionId: string;
  readonly clientId: string;
}

/** The tasks clients run for backends, the other way round from TaskTable. */
export class ClientTaskTable {
  private readonly byBackendId = new Map<string, ClientTaskRoute>();

  /** Records a task a client made for a backend's request; returns the id the backend will know it by. */
  add(backend: Backend, sessionId: string, clientId: string): string {
    const route: ClientTaskRoute = { backend, backendId: `switchboard-${randomUUID()}`, sessionId, clientId };
    this.byBackendId.set(route.backendId, route);
    return route.backendId;
  }

  /** The task a backend knows by `backendId`; undefined for another backend's, as for one that does not exist. */
  forBackend(backend: Backend, backendId: string): ClientTaskRoute | undefined {
    const route = this.byBackendId.get(backendId);
    return route?.backend === backend ? route : undefined;
  }

  /** Every task clients run for a backend. */
  ofBackend(backend: Backend): ClientTaskRoute[] {
    return [...this.byBackendId.values()].filter((route) => route.backend === backend);
  }

  /** The task a session's client knows by `clientId`. */
  fromClient(sessionId: string, clientId: string): ClientTaskRoute | undefined {
    for (const route of this.byBackendId.values()) if (route.sessionId === sessionId && route.clientId === clientId) return route;
    return undefined;
  }

  /** Forgets the tasks of a session that ended, or of a backend that was stopped. */
  drop(which: { readonly sessionId?: string; readonly backend?: Backend }): void {
    for (const [id, route] of this.byBackendId) {
      if (route.sessionId === which.sessionId || route.backend === which.backend) this.byBackendId.delete(id);
    }
  }
}
