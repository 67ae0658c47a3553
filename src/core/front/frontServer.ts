import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Protocol, type RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type ClientRequest,
  type Icon,
  LoggingLevelSchema,
  RootsListChangedNotificationSchema,
  TaskStatusNotificationSchema,
  type Result,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Backend } from '../backends/backend';
import type { InFlightCall } from '../backends/backendHost';
import type { ReverseRequest } from '../backends/backendClient';
import { invalidParams } from '../errors';
import { type TaskRoute, withRelatedTask, withTaskId } from './tasks';
import { toolError } from './toolResults';
import { CALL_TOOL, parseCall, parseSearch, SEARCH_TOOL, SessionSurface, searchResult } from '../surface/toolSurface';
import { callManagementTool, type RegistryEditor } from './managementTools';
import { installFastPaths } from './frontFastPaths';
import type { FrontTransport } from '../jsonLines';
import { acceptEverything, passthroughResult } from '../passthrough';
import { clientToolView, type Route } from '../surface/catalog';
import type { FrontListKind, FrontSession, Switchboard } from '../switchboard';

/** The server name clients see: short, because VS Code prefixes tools with `mcp_<name>_` and cuts at 64. */
export const SERVER_NAME = 'switchboard';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Params = Record<string, unknown>;
type Handler = (params: Params, extra: Extra) => Promise<Result>;


/**
 * Everything the front forwards is advertised: proxies join and leave while
 * clients stay connected, so a capability missing at `initialize` would hide
 * what a proxy added later brings. Requests for what no proxy offers get
 * empty lists or a clear error. Tasks too: a task-augmented call to a tool
 * whose backend does not do tasks is run as a plain call, as the spec has a
 * receiver without the capability do.
 */
const FRONT_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {},
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
};

/** tasks/result waits for the task to end; it is not held to a backend's request timeout, only to this. */
const TASK_RESULT_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Most pages of a backend's tasks/list followed for one front list. */
const MAX_TASK_PAGES = 100;

export interface FrontSessionOptions {
  readonly id: string;
  readonly version: string;
  /** The profile the client connected to (`/mcp/<profile>`, `--profile`), if any. */
  readonly profile?: string | undefined;
  /** The switchboard's title and icons, for clients that show them. */
  readonly identity?: { readonly title: string; readonly icons: Icon[] };
  readonly editor: RegistryEditor;
}

/**
 * Makes the MCP server one client talks to: a thin SDK `Server` whose handlers
 * read the switchboard's catalog and forward to backends. One per client session.
 */
export function createFrontSession(switchboard: Switchboard, options: FrontSessionOptions): FrontSession {
  const server = new Server(
    { name: SERVER_NAME, version: options.version, ...options.identity },
    { capabilities: FRONT_CAPABILITIES, jsonSchemaValidator: acceptEverything },
  );
  // Made once the client has said at initialize what it can do.
  let surface: SessionSurface | undefined;
  const session: FrontSession = {
    id: options.id,
    server,
    logLevel: undefined,
    subscriptions: new Set(),
    listed: new Set(),
    surface: () => (surface ??= new SessionSurface(clientToolView(server.getClientCapabilities()), options.profile)),
  };

  const forward = async (backend: Backend, method: string, params: Params, extra: Extra, timeout?: number): Promise<Result> => {
    // Notifications for this call (progress, logs) must reach the client before its answer does.
    const notifications: Promise<unknown>[] = [];
    const notify = (notification: ServerNotification) => void notifications.push(extra.sendNotification(notification).catch(() => undefined));
    const call: InFlightCall = {
      sessionId: session.id,
      sendRequest: (request: ReverseRequest, signal: AbortSignal) => extra.sendRequest(request, passthroughResult, { signal }),
      notify: (notification) => notify(notification as unknown as ServerNotification),
    };
    backend.inFlight.add(call);
    try {
      const progressToken = extra._meta?.progressToken;
      const result = await backend.request(method, params, {
        signal: extra.signal,
        ...(timeout !== undefined && { timeout }),
        ...(progressToken !== undefined && {
          onprogress: (progress) => notify({ method: 'notifications/progress', params: { ...progress, progressToken } }),
        }),
      });
      if (notifications.length > 0) await Promise.all(notifications);
      return result;
    } finally {
      backend.inFlight.delete(call);
    }
  };

  const list = async (kind: FrontListKind, params: Params, page: () => Result): Promise<Result> => {
    await switchboard.firstListReady(session, kind);
    return listPage(params, page());
  };

  handle(server, 'tools/list', (params) => list('tools', params, () => ({ tools: session.surface().listed(switchboard.catalog, switchboard.surface) })));
  const callTool = async (params: Params, extra: Extra): Promise<Result> => {
    const name = requireString(params, 'name');
    // search_tools and call_tool are the surface itself, whatever a profile's globs say; what they reach is checked.
    if (name !== SEARCH_TOOL && name !== CALL_TOOL && !session.surface().accepts(switchboard.surface)(name)) {
      throw invalidParams(`Tool "${name}" is not in the profile "${options.profile ?? ''}" this client is connected to.`);
    }
    if (name === SEARCH_TOOL) return searchTools(params.arguments);
    if (name === CALL_TOOL) {
      const call = parseCall(params.arguments);
      if ('content' in call) return call;
      if (call.name === CALL_TOOL) return toolError(`${CALL_TOOL} calls other tools, not itself.`);
      // The same call as if the client had made it: its progress token, cancellation and reverse requests go with it.
      return await callTool({ ...params, name: call.name, arguments: call.arguments }, extra);
    }
    const route = switchboard.catalog.toolRoutes.get(name);
    const routed = async (to: Route) =>
      params.task !== undefined ? await callAsTask(to, params, extra) : await forward(to.backend, 'tools/call', { ...params, name: to.name }, extra);
    if (route) return await routed(route);
    const own = await callManagementTool(name, params.arguments, switchboard, options.editor);
    if (own) return own;
    // Front names and the switchboard's own tools first: a backend's own name never hides them.
    const byOwnName = ownNameRoute(switchboard, name);
    if (byOwnName) return await routed(byOwnName);
    const down = switchboard.unavailableOwner(name);
    if (down) throw down.unavailableError();
    throw invalidParams(`Unknown tool "${name}": no mounted proxy offers it. Call list_proxies to see what is mounted.`);
  };
  handle(server, 'tools/call', callTool);

  /** search_tools: the best matches among the tools this client may call. */
  const searchTools = (args: unknown): Result => {
    const search = parseSearch(args);
    if ('content' in search) return search;
    return searchResult(search.query, switchboard.searchTools(search.query, search.limit, session.surface().acceptsTool(switchboard.surface)));
  };

  /**
   * A task-augmented call: the backend's task gets a front id of this session's own.
   * To a tool that does not do tasks (its backend has no tasks, or the tool's
   * `execution.taskSupport` is "forbidden", the default) it is a plain call.
   */
  const callAsTask = async (route: Route, params: Params, extra: Extra): Promise<Result> => {
    const { task, ...plain } = params;
    const support = (route.backend.tools.find((tool) => tool.name === route.name)?.execution as { taskSupport?: unknown } | undefined)?.taskSupport;
    const backendDoesTasks = route.backend.capabilities?.tasks?.requests?.tools?.call !== undefined;
    if (!backendDoesTasks || (support !== 'optional' && support !== 'required')) {
      return await forward(route.backend, 'tools/call', { ...plain, name: route.name }, extra);
    }
    const result = await forward(route.backend, 'tools/call', { ...plain, task, name: route.name }, extra);
    const created = (result as { task?: { taskId?: unknown } }).task;
    if (typeof created?.taskId !== 'string') return result; // It answered at once, as a receiver may.
    return { ...result, task: withTaskId(created, switchboard.tasks.add(session.id, route.backend, created.taskId)) };
  };
  const taskOf = (params: Params): TaskRoute => {
    const route = switchboard.tasks.forSession(session.id, requireString(params, 'taskId'));
    if (!route) throw invalidParams(`Task not found: ${String(params.taskId)}.`);
    return route;
  };
  const onTask = (method: string, timeout?: number) => async (params: Params, extra: Extra) => {
    const route = taskOf(params);
    const result = await forward(route.backend, method, { ...params, taskId: route.backendId }, extra, timeout);
    const meta = withRelatedTask(result._meta, (id) => (id === route.backendId ? route.frontId : undefined));
    const renamed = meta === result._meta ? result : { ...result, _meta: meta };
    // tasks/get and tasks/cancel answer with the task itself; tasks/result with the call's result.
    return method === 'tasks/result' ? renamed : withTaskId(renamed, route.frontId);
  };
  handle(server, 'tasks/get', onTask('tasks/get'));
  handle(server, 'tasks/cancel', onTask('tasks/cancel'));
  handle(server, 'tasks/result', onTask('tasks/result', TASK_RESULT_TIMEOUT_MS));
  handle(server, 'tasks/list', async (params, extra) => {
    const mine = switchboard.tasks.ofSession(session.id);
    const tasks: unknown[] = [];
    for (const backend of new Set(mine.map((route) => route.backend))) {
      const frontIds = new Map(mine.filter((route) => route.backend === backend).map((route) => [route.backendId, route.frontId]));
      let cursor: string | undefined;
      for (let page = 0; page < MAX_TASK_PAGES; page++) {
        const listed = (await forward(backend, 'tasks/list', cursor === undefined ? {} : { cursor }, extra)) as { tasks?: { taskId?: unknown }[]; nextCursor?: string };
        for (const task of listed.tasks ?? []) {
          // A backend lists its tasks for every client of its connection: only this session's are shown.
          const frontId = typeof task.taskId === 'string' ? frontIds.get(task.taskId as string) : undefined;
          if (frontId !== undefined) tasks.push(withTaskId(task, frontId));
        }
        cursor = listed.nextCursor;
        if (cursor === undefined) break;
      }
    }
    return listPage(params, { tasks });
  });

  handle(server, 'prompts/list', (params) => list('prompts', params, () => ({ prompts: switchboard.catalog.prompts })));
  handle(server, 'prompts/get', async (params, extra) => {
    const name = requireString(params, 'name');
    const route = switchboard.catalog.promptRoutes.get(name);
    if (!route) throw invalidParams(`Unknown prompt "${name}": no mounted proxy offers it.`);
    return await forward(route.backend, 'prompts/get', { ...params, name: route.name }, extra);
  });

  handle(server, 'resources/list', (params) => list('resources', params, () => ({ resources: switchboard.catalog.resources })));
  handle(server, 'resources/templates/list', (params) => list('templates', params, () => ({ resourceTemplates: switchboard.catalog.templates })));
  handle(server, 'resources/read', async (params, extra) => {
    const uri = requireString(params, 'uri');
    return await forward(resourceBackend(switchboard, uri), 'resources/read', params, extra);
  });
  handle(server, 'resources/subscribe', async (params) => {
    const uri = requireString(params, 'uri');
    await switchboard.subscribe(session, uri, resourceBackend(switchboard, uri));
    return {};
  });
  handle(server, 'resources/unsubscribe', async (params) => {
    await switchboard.unsubscribe(session, requireString(params, 'uri'));
    return {};
  });

  handle(server, 'completion/complete', async (params, extra) => {
    const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
    if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
      const route = switchboard.catalog.promptRoutes.get(ref.name);
      if (!route) throw invalidParams(`Unknown prompt "${ref.name}": no mounted proxy offers it.`);
      return await forward(route.backend, 'completion/complete', { ...params, ref: { ...ref, name: route.name } }, extra);
    }
    if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
      const backend = switchboard.catalog.templateBackend(ref.uri);
      if (!backend) throw invalidParams(`Unknown resource template "${ref.uri}": no mounted proxy offers it.`);
      return await forward(backend, 'completion/complete', params, extra);
    }
    throw invalidParams('completion/complete needs a ref of type "ref/prompt" (with a name) or "ref/resource" (with a uri).');
  });

  handle(server, 'logging/setLevel', async (params) => {
    const level = LoggingLevelSchema.safeParse(params.level);
    if (!level.success) throw invalidParams(`Unknown logging level "${String(params.level)}": use one of ${LoggingLevelSchema.options.join(', ')}.`);
    session.logLevel = level.data;
    switchboard.setLoggingLevel(level.data);
    return {};
  });

  server.setNotificationHandler(RootsListChangedNotificationSchema, () => switchboard.notifyRootsChanged());
  server.setNotificationHandler(TaskStatusNotificationSchema, (notification) => switchboard.onClientTaskStatus(session, notification.params));
  // Backends that asked for roots before this client came get the chance to ask again.
  server.oninitialized = () => {
    if (server.getClientCapabilities()?.roots) switchboard.notifyRootsChanged();
  };
  return session;
}

/**
 * Registers a handler that receives the request as sent. The SDK's typed
 * registration parses each request (and, for tools/call, each result) with
 * zod; a transparent proxy passes both on as they are, so it skips that work.
 */
function handle(server: Server, method: ClientRequest['method'], handler: Handler): void {
  const schema = z.looseObject({ method: z.literal(method), params: z.optional(z.custom<Params>((value) => typeof value === 'object')) });
  const register = Protocol.prototype.setRequestHandler as unknown as (
    this: Server,
    schema: z.ZodType,
    handler: (request: { params?: Params }, extra: Extra) => Promise<Result>,
  ) => void;
  register.call(server, schema, (request, extra) => handler(request.params ?? {}, extra));
}

/**
 * A tool called by its backend's own name rather than its front name: an MCP
 * App's page does that, and its host relays the call here. It is routed when
 * exactly one proxy has a shown tool of that name; several get an error that
 * names them.
 */
function ownNameRoute(switchboard: Switchboard, name: string): Route | undefined {
  const candidates = switchboard.catalog.toolsByOwnName.get(name);
  if (!candidates || candidates.length === 0) return undefined;
  if (candidates.length === 1) return candidates[0];
  const names = candidates.map((route) => `${switchboard.catalog.toolFrontNames.get(route.backend.name)?.get(name) ?? name} (${route.backend.name})`);
  throw invalidParams(`Tool "${name}" is offered by several proxies: ${names.join(', ')}. Call it by one of those names.`);
}

/** Lists come in one page: the catalog is in memory, and no cursor we hand out ever needs resuming. */
function listPage(params: Params, page: Result): Result {
  if (params.cursor !== undefined) throw invalidParams('This list has one page; the cursor given does not belong to it.');
  return page;
}

function resourceBackend(switchboard: Switchboard, uri: string): Backend {
  const backend = switchboard.catalog.resourceBackend(uri);
  if (!backend) throw invalidParams(`Unknown resource "${uri}": no mounted proxy lists it or has a template that matches it.`);
  return backend;
}

function requireString(params: Params, key: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw invalidParams(`The request needs "${key}" as a string.`);
  return value;
}

/**
 * Creates a session for a client on `transport`, attaches it to the switchboard
 * for notifications, and detaches it when the connection closes.
 */
export async function connectFrontSession(
  switchboard: Switchboard,
  transport: FrontTransport,
  options: FrontSessionOptions,
): Promise<FrontSession> {
  const session = createFrontSession(switchboard, options);
  const detach = switchboard.attachSession(session);
  session.server.onclose = detach;
  await session.server.connect(transport);
  installFastPaths(switchboard, session, transport);
  return session;
}
