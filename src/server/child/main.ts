/**
 * The server process the VS Code extension forks (dist/server.js). It serves
 * the front over Streamable HTTP on loopback and talks to the extension over
 * Node IPC: the extension owns settings and secrets, this process owns the
 * connections. Every message is parsed with the contract's schemas.
 */
import { PORT_ENV, TOKEN_ENV, type ToExtensionMessage, toServerMessageSchema } from '../../core/ipc';
import { formatIssues } from '../../core/registry/registry';
import { type HttpFrontOptions, startHttpFront } from '../fronts/httpFront';
import { WindowView } from '../window/windowView';

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

  const view = new WindowView();
  view.attach(send);
  const logger = view.switchboard.logger;

  process.on('message', (raw: unknown) => {
    const parsed = toServerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      logger.error(`Ignored a message from the extension that breaks the contract: ${formatIssues(parsed.error)}`);
      return;
    }
    view.handle(parsed.data);
  });

  let front: Awaited<ReturnType<typeof startHttpFront>> | undefined;
  const listen = async () => {
    const options: Omit<HttpFrontOptions, 'port'> = {
      host: '127.0.0.1',
      token,
      logger,
      openSession: (transport, profile) => view.openSession(transport, profile),
      profiles: () => view.profiles(),
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
  void view.firstRegistry.then(listen);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await front?.close().catch(() => undefined);
    await view.close();
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
