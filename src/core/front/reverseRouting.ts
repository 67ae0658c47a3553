import { randomUUID } from 'node:crypto';
import { ErrorCode, McpError, type Result, type TaskStatusNotification } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../backends/backend';
import type { InFlightCall } from '../backends/backendHost';
import type { ReverseRequest } from '../backends/backendClient';
import { passthroughResult } from '../passthrough';
import type { FrontSession } from '../switchboard';
import { ClientTaskTable, RELATED_TASK, type TaskTable, withRelatedTask, withTaskId } from './tasks';

/** The requests a backend makes of the client, and the capability a client declares for each. */
const CAPABILITY = { 'sampling/createMessage': 'sampling', 'elicitation/create': 'elicitation', 'roots/list': 'roots' } as const;
/** A backend's tasks/result waits for the client's task to end; it is held to this, not to a request timeout. */
const TASK_RESULT_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The tasks methods a backend may call on the switchboard about tasks a client runs for it. */
export type ClientTaskMethod = 'tasks/get' | 'tasks/result' | 'tasks/list' | 'tasks/cancel';

/**
 * Routes a backend's requests for the client (sampling, elicitation, roots)
 * to the right client, so answers never cross clients:
 * - a request that names one of a client's tasks (its related-task id) goes
 *   to that client, with the id it knows;
 * - otherwise to the client whose call is running on the backend; with calls
 *   of several clients in flight the request cannot say which it is for, and
 *   asking the wrong one would leak one user's prompt to another, so sampling
 *   and elicitation are refused instead;
 * - roots, asked outside any call, go to the newest client that has roots.
 * A task-augmented request (sampling or elicitation as a task, 2025-11-25)
 * becomes a task of that client under an id the switchboard gives the
 * backend; for a client that does not run such tasks, the switchboard runs
 * the task itself, asking the client a plain request and keeping its answer
 * for the backend to fetch.
 */
export class ReverseRouter {
  /** The tasks clients run for backends. */
  readonly clientTasks = new ClientTaskTable();
  /** The tasks the switchboard runs for backends, on behalf of clients that do not run tasks. */
  private readonly ownTasks = new Map<string, OwnTask>();

  constructor(
    private readonly sessions: ReadonlyMap<string, FrontSession>,
    private readonly tasks: TaskTable,
  ) {}

  /** Sends a backend's request to its client and returns the answer. */
  async request(backend: Backend, request: ReverseRequest, signal: AbortSignal): Promise<Result> {
    const target = this.target(backend, request);
    if (!target) return { roots: [] }; // No client has roots yet; when one connects, backends hear roots/list_changed.
    const { session, send } = target;
    if (!session.server.getClientCapabilities()?.[CAPABILITY[request.method]]) {
      throw new McpError(ErrorCode.MethodNotFound, `The client connected to the switchboard does not support ${CAPABILITY[request.method]}.`);
    }
    const params = (request.params ?? {}) as Record<string, unknown>;
    if (params.task === undefined) return await send(request, signal);
    if (!runsTasksFor(session, request.method)) {
      const { task, ...plain } = params;
      return { task: this.runOwnTask(backend, (task as { ttl?: number }).ttl, (ownSignal) => send({ ...request, params: plain } as ReverseRequest, ownSignal)) };
    }
    const result = await send(request, signal);
    const created = (result as { task?: { taskId?: unknown } }).task;
    if (typeof created?.taskId !== 'string') return result;
    return { ...result, task: withTaskId(created, this.clientTasks.add(backend, session.id, created.taskId)) };
  }

  /** Answers a backend's tasks/get, tasks/result, tasks/list or tasks/cancel about tasks clients run for it. */
  async taskRequest(backend: Backend, method: ClientTaskMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result> {
    const own = typeof params.taskId === 'string' ? this.ownTasks.get(params.taskId) : undefined;
    if (own?.backend === backend) return await answerOwnTask(own, method);
    if (method === 'tasks/list') {
      const tasks: unknown[] = [...this.ownTasks.values()].filter((task) => task.backend === backend).map((task) => ({ ...task.task }));
      for (const route of this.clientTasks.ofBackend(backend)) {
        const session = this.sessions.get(route.sessionId);
        if (!session) continue;
        const task = await session.server.request({ method: 'tasks/get', params: { taskId: route.clientId } }, passthroughResult, { signal }).catch(() => undefined);
        if (task) tasks.push(withTaskId(task, route.backendId));
      }
      return { tasks };
    }
    const route = typeof params.taskId === 'string' ? this.clientTasks.forBackend(backend, params.taskId) : undefined;
    const session = route && this.sessions.get(route.sessionId);
    if (!route || !session) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${String(params.taskId)}.`);
    const result = await session.server.request({ method, params: { ...params, taskId: route.clientId } } as never, passthroughResult, {
      signal,
      ...(method === 'tasks/result' && { timeout: TASK_RESULT_TIMEOUT_MS }),
    });
    const meta = withRelatedTask(result._meta, (id) => (id === route.clientId ? route.backendId : undefined));
    const renamed = meta === result._meta ? result : { ...result, _meta: meta };
    return method === 'tasks/result' ? renamed : withTaskId(renamed, route.backendId);
  }

  /** Forgets the switchboard's own tasks for a backend that was stopped. */
  dropBackend(backend: Backend): void {
    for (const [id, task] of this.ownTasks) {
      if (task.backend !== backend) continue;
      task.controller.abort();
      this.ownTasks.delete(id);
    }
  }

  /** Starts a task the switchboard runs itself; returns the task as the backend first sees it. */
  private runOwnTask(backend: Backend, ttl: number | undefined, run: (signal: AbortSignal) => Promise<Result>): Record<string, unknown> {
    const now = new Date().toISOString();
    const controller = new AbortController();
    const own: OwnTask = {
      backend,
      controller,
      task: { taskId: `switchboard-${randomUUID()}`, status: 'working', ttl: ttl ?? null, createdAt: now, lastUpdatedAt: now, pollInterval: OWN_TASK_POLL_MS },
      outcome: run(controller.signal).then(
        (result) => {
          Object.assign(own.task, { status: 'completed', lastUpdatedAt: new Date().toISOString() });
          return result;
        },
        (error: unknown) => {
          const cancelled = controller.signal.aborted;
          Object.assign(own.task, { status: cancelled ? 'cancelled' : 'failed', lastUpdatedAt: new Date().toISOString(), statusMessage: error instanceof Error ? error.message : String(error) });
          throw error;
        },
      ),
    };
    own.outcome.catch(() => undefined); // Told to whoever asks for the result.
    this.ownTasks.set(own.task.taskId, own);
    const expiry = setTimeout(() => this.ownTasks.delete(own.task.taskId), Math.min(ttl ?? OWN_TASK_MAX_TTL_MS, OWN_TASK_MAX_TTL_MS));
    expiry.unref();
    return { ...own.task };
  }

  /** A client's status notification about a task it runs for a backend, passed on with the backend's id. */
  clientTaskStatus(session: FrontSession, params: TaskStatusNotification['params']): void {
    const route = this.clientTasks.fromClient(session.id, params.taskId);
    if (route) route.backend.notifyTaskStatus({ ...params, taskId: route.backendId });
  }

  /** Where a request goes, and how to send it there; undefined for roots when no client has any. */
  private target(backend: Backend, request: ReverseRequest): { session: FrontSession; send: (request: ReverseRequest, signal: AbortSignal) => Promise<Result> } | undefined {
    const forTask = this.taskTarget(backend, request);
    if (forTask) return forTask;
    const call = backend.newestCall;
    if (request.method !== 'roots/list' && new Set([...backend.inFlight].map((inFlight) => inFlight.sessionId)).size > 1) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `The switchboard cannot tell which of several clients with calls in progress on "${backend.name}" should answer ${request.method}; retry when the other calls have finished.`,
      );
    }
    const session = call ? this.sessions.get(call.sessionId) : request.method === 'roots/list' ? this.newestSessionWithRoots() : undefined;
    if (!session && request.method === 'roots/list') return undefined;
    if (!session) {
      throw new McpError(ErrorCode.InvalidRequest, `The switchboard cannot route ${request.method} from "${backend.name}": no client call to it is in progress.`);
    }
    return { session, send: (outgoing, signal) => (call ? call.sendRequest(outgoing, signal) : session.server.request(outgoing, passthroughResult, { signal })) };
  }

  /** For a request that names one of a client's tasks: that client, and the request with the id it knows. */
  private taskTarget(backend: Backend, request: ReverseRequest): ReturnType<ReverseRouter['target']> {
    const params = request.params as { _meta?: Record<string, unknown> } | undefined;
    const related = params?._meta?.[RELATED_TASK] as { taskId?: unknown } | undefined;
    const route = typeof related?.taskId === 'string' ? this.tasks.fromBackend(backend, related.taskId) : undefined;
    const session = route && this.sessions.get(route.sessionId);
    if (!route || !session) return undefined;
    const rename = (outgoing: ReverseRequest) =>
      ({
        ...outgoing,
        params: { ...outgoing.params, _meta: withRelatedTask(params?._meta, (id) => (id === route.backendId ? route.frontId : undefined)) },
      }) as ReverseRequest;
    // On the stream of that client's call to the task (tasks/result), when there is one: an HTTP client reads it there.
    const call: InFlightCall | undefined = [...backend.inFlight].reverse().find((inFlight) => inFlight.sessionId === session.id);
    return {
      session,
      send: (outgoing, signal) => (call ? call.sendRequest(rename(outgoing), signal) : session.server.request(rename(outgoing), passthroughResult, { signal })),
    };
  }

  private newestSessionWithRoots(): FrontSession | undefined {
    let found: FrontSession | undefined;
    for (const session of this.sessions.values()) if (session.server.getClientCapabilities()?.roots) found = session;
    return found;
  }
}

/** A task the switchboard runs for a backend: the plain request it asked a client, and its outcome. */
interface OwnTask {
  readonly backend: Backend;
  readonly task: Record<string, unknown> & { taskId: string };
  readonly outcome: Promise<Result>;
  readonly controller: AbortController;
}

/** How often a backend is told to poll the switchboard's own tasks, and the longest they are kept. */
const OWN_TASK_POLL_MS = 500;
const OWN_TASK_MAX_TTL_MS = 60 * 60 * 1000;

async function answerOwnTask(own: OwnTask, method: ClientTaskMethod): Promise<Result> {
  switch (method) {
    case 'tasks/result':
      return { ...(await own.outcome), _meta: { [RELATED_TASK]: { taskId: own.task.taskId } } };
    case 'tasks/cancel':
      if (own.task.status === 'working') own.controller.abort();
      await own.outcome.catch(() => undefined);
      return { ...own.task };
    default:
      return { ...own.task };
  }
}

/** Whether a client runs task-augmented requests of this kind (it declared so under `tasks.requests`). */
function runsTasksFor(session: FrontSession, method: ReverseRequest['method']): boolean {
  const requests = session.server.getClientCapabilities()?.tasks?.requests as Record<string, Record<string, unknown> | undefined> | undefined;
  if (method === 'sampling/createMessage') return requests?.sampling?.createMessage !== undefined;
  if (method === 'elicitation/create') return requests?.elicitation?.create !== undefined;
  return false;
}
