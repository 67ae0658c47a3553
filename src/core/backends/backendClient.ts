import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CancelTaskRequestSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  type Implementation,
  ListRootsRequestSchema,
  ListTasksRequestSchema,
  type LoggingMessageNotification,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type Result,
  type TaskStatusNotification,
  TaskStatusNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { APP_MIME_TYPE, APPS_EXTENSION } from '../front/mcpApps';
import type { ClientTaskMethod } from '../front/reverseRouting';
import { acceptEverything } from '../passthrough';
import type { ListKind } from './backendLists';

/** A request a backend sent to the client side (sampling, elicitation, roots). */
export type ReverseRequest = z.infer<typeof CreateMessageRequestSchema | typeof ElicitRequestSchema | typeof ListRootsRequestSchema>;

/** Per-request context the SDK hands a reverse-request handler. */
export interface ReverseRequestExtra {
  readonly signal: AbortSignal;
}

/** Where what a backend sends on its own goes: its owner routes it to the clients. */
export interface BackendClientEvents {
  onListChanged(kind: ListKind): void;
  onLogMessage(params: LoggingMessageNotification['params']): void;
  onResourceUpdated(uri: string): void;
  onTaskStatus(params: TaskStatusNotification['params']): void;
  onReverseRequest(request: ReverseRequest, extra: ReverseRequestExtra): Promise<Result>;
  onClientTaskRequest(method: ClientTaskMethod, params: Record<string, unknown>, extra: ReverseRequestExtra): Promise<Result>;
  /** An answer to an id the switchboard never sent: a backend that does that is broken or hostile. */
  onUnknownAnswer(detail: string): void;
  /** Any other transport error, worth a debug line. */
  onTransportError(message: string): void;
}

/** How the SDK's protocol layer begins the error it reports for an answer to an id it never sent. */
const UNKNOWN_ID_ERROR = 'Received a response for an unknown message ID';

/** A new SDK client for one connection to a backend, declaring what the switchboard passes on, with its handlers wired to `events`. */
export function createBackendClient(clientInfo: Implementation, events: BackendClientEvents): Client {
  const client = new Client(clientInfo, {
    // The MCP Apps extension is declared for every client: App servers then offer their UI, and clients that
    // are no App host do not get the App-only tools listed (see ClientToolView).
    // Task-augmented sampling and elicitation are declared for the same reason: a client that does not run
    // such tasks gets them as plain requests, which a backend must accept (see ReverseRouter).
    capabilities: {
      sampling: {},
      elicitation: { form: {}, url: {} },
      roots: { listChanged: true },
      tasks: { list: {}, cancel: {}, requests: { sampling: { createMessage: {} }, elicitation: { create: {} } } },
      extensions: { [APPS_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } },
    },
    jsonSchemaValidator: acceptEverything,
  });
  client.onerror = (error) => {
    if (error.message.startsWith(UNKNOWN_ID_ERROR)) events.onUnknownAnswer(error.message.slice(UNKNOWN_ID_ERROR.length + 2, 200));
    else events.onTransportError(error.message);
  };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => events.onListChanged('tools'));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => events.onListChanged('resources'));
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => events.onListChanged('prompts'));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => events.onLogMessage(notification.params));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => events.onResourceUpdated(notification.params.uri));
  client.setNotificationHandler(TaskStatusNotificationSchema, (notification) => events.onTaskStatus(notification.params));
  const reverse = (request: ReverseRequest, extra: ReverseRequestExtra) => events.onReverseRequest(request, extra);
  client.setRequestHandler(CreateMessageRequestSchema, reverse);
  client.setRequestHandler(ElicitRequestSchema, reverse);
  client.setRequestHandler(ListRootsRequestSchema, reverse);
  const taskRequest = (method: ClientTaskMethod) => (request: { params?: Record<string, unknown> }, extra: ReverseRequestExtra) =>
    events.onClientTaskRequest(method, request.params ?? {}, extra);
  client.setRequestHandler(GetTaskRequestSchema, taskRequest('tasks/get') as never);
  client.setRequestHandler(GetTaskPayloadRequestSchema, taskRequest('tasks/result') as never);
  client.setRequestHandler(ListTasksRequestSchema, taskRequest('tasks/list') as never);
  client.setRequestHandler(CancelTaskRequestSchema, taskRequest('tasks/cancel') as never);
  return client;
}
