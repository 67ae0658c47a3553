/**
 * The server process the VS Code extension forks (dist/server.js). It serves
 * the front over Streamable HTTP on loopback and talks to the extension over
 * Node IPC: the extension owns settings and secrets, this process owns the
 * connections. Every message is parsed with the contract's schemas.
 */
import { homedir } from 'node:os';
import { version } from '../../../package.json';
import { connectFrontSession } from '../../core/front/frontServer';
import { PORT_ENV, TOKEN_ENV, type ToExtensionMessage, type ToServerMessage, toServerMessageSchema } from '../../core/ipc';
import { createLogger } from '../../core/logger';
import { MANAGEMENT_TOOLS } from '../../core/front/managementTools';
import { formatIssues } from '../../core/registry/registry';
import { Switchboard } from '../../core/switchboard';
import { DEFAULT_SURFACE } from '../../core/surface/toolSurface';
import { type HttpFrontOptions, startHttpFront } from '../fronts/httpFront';
import { IpcRegistryEditor } from './ipcRegistryEditor';
import { IpcSignInHost } from './ipcSignInHost';
import { serverIdentity } from '../fronts/serverIdentity';

/** State messages are gathered for this long, so a burst of changes is one message. */
const STATE_DEBOUNCE_MS = 50;

type RegistryMessage = Extract<ToServerMessage, { type: 'registry' }>;

function send(message: ToExtensionMessage): void {
  if (process.connected) process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write('dist/server.js is started by the MCP Switchboard extension. To run the switchboard yourself, use dist/cli.js.\n');
    process.exit(2);
  }
  const token = process.env[TOKEN_ENV];
  // Nothing this process starts needs the token; keep it out of every child's reach.
  delete process.env[TOKEN_ENV];
  if (!token) throw new Error(`${TOKEN_ENV} is not set: the extension passes the bearer token that way.`);

  const logger = createLogger((record) => send({ type: 'log', ...record }), 'debug');
  let registry: RegistryMessage | undefined;
  const signInHost = new IpcSignInHost(send);
  const switchboard = new Switchboard({
    logger,
    clientInfo: { name: 'mcp-switchboard', version },
    expansion: () => ({
      env: process.env,
      userHome: homedir(),
      workspaceFolder: registry?.workspaceFolder,
      secret: (key) => registry?.secrets[key],
    }),
    ownTools: MANAGEMENT_TOOLS,
    signInHost,
  });
  const editor = new IpcRegistryEditor(send);
  const identity = serverIdentity();

  let stateTimer: NodeJS.Timeout | undefined;
  switchboard.onDidChangeStatus(() => {
    stateTimer ??= setTimeout(() => {
      stateTimer = undefined;
      send({ type: 'state', proxies: switchboard.statuses() });
    }, STATE_DEBOUNCE_MS);
  });

  let front: Awaited<ReturnType<typeof startHttpFront>> | undefined;
  process.on('message', (raw: unknown) => {
    const parsed = toServerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      logger.error(`Ignored a message from the extension that breaks the contract: ${formatIssues(parsed.error)}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'registry':
        registry = message;
        switchboard.configureSurface(message.surface ?? DEFAULT_SURFACE);
        switchboard.applyRegistry(message.proxies);
        if (!front) void listen();
        break;
      case 'changeResult':
        editor.settle(message);
        break;
      case 'restartProxy':
        void switchboard.restartProxy(message.name);
        break;
      case 'signIn':
      case 'signOut': {
        const { id, name } = message;
        (message.type === 'signIn' ? switchboard.signIn(name) : switchboard.signOut(name)).then(
          () => send({ type: 'signInResult', id, ok: true }),
          (error: unknown) => send({ type: 'signInResult', id, ok: false, error: error instanceof Error ? error.message : String(error) }),
        );
        break;
      }
      case 'cancelSignIn':
        void switchboard.cancelSignIn(message.name); // Its sign-in answers the extension with the cancellation.
        break;
      case 'hostResult':
        signInHost.settle(message);
        break;
    }
  });

  let listening = false;
  const listen = async () => {
    if (listening) return;
    listening = true;
    const options: Omit<HttpFrontOptions, 'port'> = {
      host: '127.0.0.1',
      token,
      logger,
      openSession: async (transport, profile) =>
        void (await connectFrontSession(switchboard, transport, { id: transport.sessionId, version, identity, editor, profile })),
      profiles: () => Object.keys(switchboard.surface.profiles),
    };
    // The port of the server this one replaces, so VS Code's MCP client finds it at the same URL; a free one if taken.
    const previousPort = Number(process.env[PORT_ENV] ?? '0');
    try {
      front = await startHttpFront({ ...options, port: Number.isInteger(previousPort) ? previousPort : 0 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      logger.warn(`Port ${previousPort} is taken now; listening on another one.`);
      front = await startHttpFront({ ...options, port: 0 });
    }
    send({ type: 'ready', url: front.url });
  };

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await front?.close().catch(() => undefined);
    await switchboard.close();
    process.exit(0);
  };
  // The extension host went away (or asked us to stop): end every backend with us.
  process.once('disconnect', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`mcp-switchboard server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
