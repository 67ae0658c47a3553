import type { LoggingLevel, LoggingMessageNotification, TaskStatusNotification } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../backends/backend';
import type { FrontSession } from '../switchboard';
import type { TaskTable } from './tasks';

const LOGGING_SEVERITY: Record<LoggingLevel, number> = {
  debug: 0,
  info: 1,
  notice: 2,
  warning: 3,
  error: 4,
  critical: 5,
  alert: 6,
  emergency: 7,
};

/**
 * A backend's log message, named after its proxy: during a call it goes with
 * the call, on its stream, to its client; otherwise to every client whose
 * level lets it through.
 */
export function forwardLogMessage(backend: Backend, params: LoggingMessageNotification['params'], sessions: ReadonlyMap<string, FrontSession>): void {
  const forwarded = { ...params, logger: params.logger === undefined ? backend.name : `${backend.name}/${params.logger}` };
  const call = backend.newestCall;
  if (call) {
    const session = sessions.get(call.sessionId);
    if (!session || allows(session.logLevel, params.level)) call.notify({ method: 'notifications/message', params: forwarded });
    return;
  }
  for (const session of sessions.values()) {
    if (allows(session.logLevel, params.level)) void session.server.sendLoggingMessage(forwarded).catch(() => undefined);
  }
}

/** A resource changed: every client subscribed to it hears so. */
export function forwardResourceUpdated(uri: string, sessions: ReadonlyMap<string, FrontSession>): void {
  for (const session of sessions.values()) {
    if (session.subscriptions.has(uri)) void session.server.sendResourceUpdated({ uri }).catch(() => undefined);
  }
}

/** A task's status goes to the client that made the task, under the id that client knows. */
export function forwardTaskStatus(backend: Backend, params: TaskStatusNotification['params'], tasks: TaskTable, sessions: ReadonlyMap<string, FrontSession>): void {
  const route = tasks.fromBackend(backend, params.taskId);
  const session = route && sessions.get(route.sessionId);
  if (!route || !session) return; // A task of no client of ours (or of one that left): nobody to tell.
  void session.server.notification({ method: 'notifications/tasks/status', params: { ...params, taskId: route.frontId } }).catch(() => undefined);
}

function allows(sessionLevel: LoggingLevel | undefined, level: LoggingLevel): boolean {
  return sessionLevel === undefined || LOGGING_SEVERITY[level] >= LOGGING_SEVERITY[sessionLevel];
}
