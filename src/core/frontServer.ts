import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Protocol, type RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type ClientRequest,
  LoggingLevelSchema,
  RootsListChangedNotificationSchema,
  type Result,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Backend, InFlightCall, ReverseRequest } from './backend';
import { invalidParams } from './errors';
import { callManagementTool, type RegistryEditor } from './managementTools';
import { installFastPaths } from './frontFastPaths';
import type { FrontTransport } from './jsonLines';
import { acceptEverything, passthroughResult } from './passthrough';
import type { FrontSession, Switchboard } from './switchboard';

/** The server name clients see: short, because VS Code prefixes tools with `mcp_<name>_` and cuts at 64. */
export const SERVER_NAME = 'switchboard';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Params = Record<string, unknown>;
type Handler = (params: Params, extra: Extra) => Promise<Result>;


/**
 * Everything the front forwards is advertised: proxies join and leave while
 * clients stay connected, so a capability missing at `initialize` would hide
 * what a proxy added later brings. Requests for what no proxy offers get
 * empty lists or a clear error. Experimental features such as tasks are not
 * forwarded, so they are not advertised.
 */
const FRONT_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {},
};

export interface FrontSessionOptions {
  readonly id: string;
  readonly version: string;
  readonly editor: RegistryEditor;
}

/**
 * Makes the MCP server one client talks to: a thin SDK `Server` whose handlers
 * read the switchboard's catalog and forward to backends. One per client session.
 */
export function createFrontSession(switchboard: Switchboard, options: FrontSessionOptions): FrontSession {
  const server = new Server(
    { name: SERVER_NAME, version: options.version },
    { capabilities: FRONT_CAPABILITIES, jsonSchemaValidator: acceptEverything },
  );
  const session: FrontSession = { id: options.id, server, logLevel: undefined, subscriptions: new Set() };

  const forward = async (backend: Backend, method: string, params: Params, extra: Extra): Promise<Result> => {
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

  handle(server, 'tools/list', async (params) => listPage(params, { tools: switchboard.catalog.tools }));
  handle(server, 'tools/call', async (params, extra) => {
    const name = requireString(params, 'name');
    const route = switchboard.catalog.toolRoutes.get(name);
    if (route) return await forward(route.backend, 'tools/call', { ...params, name: route.name }, extra);
    const own = await callManagementTool(name, params.arguments, switchboard, options.editor);
    if (own) return own;
    const down = switchboard.unavailableOwner(name);
    if (down) throw down.unavailableError();
    throw invalidParams(`Unknown tool "${name}": no mounted proxy offers it. Call list_proxies to see what is mounted.`);
  });

  handle(server, 'prompts/list', async (params) => listPage(params, { prompts: switchboard.catalog.prompts }));
  handle(server, 'prompts/get', async (params, extra) => {
    const name = requireString(params, 'name');
    const route = switchboard.catalog.promptRoutes.get(name);
    if (!route) throw invalidParams(`Unknown prompt "${name}": no mounted proxy offers it.`);
    return await forward(route.backend, 'prompts/get', { ...params, name: route.name }, extra);
  });

  handle(server, 'resources/list', async (params) => listPage(params, { resources: switchboard.catalog.resources }));
  handle(server, 'resources/templates/list', async (params) => listPage(params, { resourceTemplates: switchboard.catalog.templates }));
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
