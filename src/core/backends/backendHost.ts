import type { Implementation, LoggingLevel, LoggingMessageNotification, Result, TaskStatusNotification } from '@modelcontextprotocol/sdk/types.js';
import type { ClientTaskMethod } from '../front/reverseRouting';
import type { Logger } from '../logger';
import type { SignInHost } from '../oauth/signInHost';
import type { ExpansionContext } from '../registry/expand';
import type { Backend } from './backend';
import type { ReverseRequest, ReverseRequestExtra } from './backendClient';
import type { ListKind } from './backendLists';
import type { EarlyStarts } from './earlyStarts';

/** What a backend needs from the switchboard that owns it. */
export interface BackendHost {
  readonly logger: Logger;
  readonly clientInfo: Implementation;
  /** Processes the CLI started before the engine loaded, for the backends that would start them. */
  readonly earlyStarts?: EarlyStarts | undefined;
  /** The browser and credential store for servers that ask for OAuth; without one, a 401 is an error. */
  readonly signInHost?: SignInHost | undefined;
  /** Whether a sign-in for this proxy may open the browser by itself (not for a proxy the agent added). */
  mayOpenBrowserFor(name: string): boolean;
  expansion(): ExpansionContext;
  /** The logging level clients asked for last, if any; applied on connect. */
  loggingLevel(): LoggingLevel | undefined;
  onDidChangeState(backend: Backend): void;
  onDidChangeList(backend: Backend, kind: ListKind): void;
  onLogMessage(backend: Backend, params: LoggingMessageNotification['params']): void;
  onResourceUpdated(backend: Backend, uri: string): void;
  onTaskStatus(backend: Backend, params: TaskStatusNotification['params']): void;
  onReverseRequest(backend: Backend, request: ReverseRequest, extra: ReverseRequestExtra): Promise<Result>;
  onClientTaskRequest(backend: Backend, method: ClientTaskMethod, params: Record<string, unknown>, extra: ReverseRequestExtra): Promise<Result>;
}

/** A call from a client that is running on this backend right now. */
export interface InFlightCall {
  readonly sessionId: string;
  readonly sendRequest: (request: ReverseRequest, signal: AbortSignal) => Promise<Result>;
  /** Sends a notification that belongs to the call, ahead of its answer. */
  readonly notify: (notification: { method: string; params: Record<string, unknown> }) => void;
}
