import { timingSafeEqual } from 'node:crypto';
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { BackendPool } from '../../core/backends/backendPool';
import { type ToExtensionMessage, toServerMessageSchema } from '../../core/ipc';
import type { Logger } from '../../core/logger';
import type { SignInHost } from '../../core/oauth/signInHost';
import { formatIssues } from '../../core/registry/registry';
import { ensurePrivateFolder } from '../../core/user/userFiles';
import { type WindowHello, windowHelloSchema, windowPath, type WindowRefused } from '../../core/user/windowChannel';
import type { HttpSessionTransport } from '../fronts/httpSession';
import { WindowView } from '../window/windowView';

/** A window that connects has this long to say hello. */
const HELLO_TIMEOUT_MS = 5_000;
/** Every window keeps its sign-ins in VS Code's SecretStorage, which the windows of one user share. */
export const VS_CODE_REALM = 'vscode';

export interface WindowHostOptions {
  readonly pool: BackendPool;
  readonly logger: Logger;
  readonly version: string;
  /** The token now (it may be rotated): a window's hello must carry it. */
  readonly token: () => string;
  /** The front's origin, for the URL of each window's view. */
  readonly origin: string;
  /** How long a window that went away keeps its view (and its workspace proxies): a reload finds them still there. */
  readonly graceMs: number;
  /** Told how many windows are attached whenever that changes (an idle switchboard may end). */
  readonly onAttached: (count: number) => void;
  /** Told when the secrets the windows have may have changed: a window's registry came, or its view ended. */
  readonly onSecretsChanged: () => void;
}

interface AttachedView {
  readonly view: WindowView;
  socket: Socket | undefined;
  graceTimer: NodeJS.Timeout | undefined;
}

/**
 * The VS Code windows attached to the user's switchboard, over the socket of
 * windowChannel.ts. Each has a view (a Switchboard of its registry: the user
 * proxies, which every view shares through the pool, and its own workspace
 * proxies), served at `/w/<window>/mcp` for that window's Copilot.
 */
export class WindowHost {
  private readonly views = new Map<string, AttachedView>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly options: WindowHostOptions,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /**
   * Listens on the windows' socket. Only the port's holder gets here, so a
   * socket file there is a dead switchboard's: it is replaced.
   */
  static async listen(path: string, options: WindowHostOptions): Promise<WindowHost> {
    const isPipe = path.startsWith('\\\\');
    if (!isPipe) {
      await ensurePrivateFolder(dirname(path));
      await unlink(path).catch(() => undefined);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (!isPipe) await chmod(path, 0o600); // The folder is the user's alone already; the socket too.
    return new WindowHost(server, options);
  }

  hasView(window: string): boolean {
    return this.views.has(window);
  }

  /** The value of `${secret:KEY}` that a window's SecretStorage gave, while its view lasts. */
  secret(key: string): string | undefined {
    for (const { view } of this.views.values()) {
      const value = view.secret(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** The sign-in host of a window attached now (its socket open), if any. */
  attachedSignIn(): SignInHost | undefined {
    for (const attached of this.views.values()) if (attached.socket) return attached.view.signInHost;
    return undefined;
  }

  profiles(window: string): readonly string[] {
    return this.views.get(window)?.view.profiles() ?? [];
  }

  async openSession(window: string, transport: HttpSessionTransport, profile: string | undefined): Promise<void> {
    const attached = this.views.get(window);
    if (!attached) throw new Error(`No VS Code window "${window}" is attached.`);
    await attached.view.openSession(transport, profile);
  }

  /** Ends every window's view (and lets go of its backends). */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const views = [...this.views.values()];
    this.views.clear();
    for (const { graceTimer } of views) clearTimeout(graceTimer);
    await Promise.all(views.map(({ view }) => view.close()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined); // A window that vanishes mid-write: its close follows.
    const helloTimer = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
    let window: string | undefined;
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (window === undefined) {
        clearTimeout(helloTimer);
        const hello = this.hello(line);
        if ('reason' in hello) {
          this.options.logger.warn(`Refused a VS Code window: ${hello.reason}`);
          socket.end(`${JSON.stringify(hello satisfies WindowRefused)}\n`);
          lines.close();
          return;
        }
        window = hello.window;
        this.attach(window, socket);
        return;
      }
      this.take(window, line);
    });
    socket.once('close', () => {
      clearTimeout(helloTimer);
      this.sockets.delete(socket);
      if (window !== undefined) this.detach(window, socket);
    });
  }

  /** The hello of a window that may attach, or the refusal to send it. */
  private hello(line: string): WindowHello | WindowRefused {
    let parsed: ReturnType<typeof windowHelloSchema.safeParse>;
    try {
      parsed = windowHelloSchema.safeParse(JSON.parse(line));
    } catch {
      return { type: 'refused', because: 'hello', reason: 'the first line is not JSON: say hello first (windowChannel.ts).' };
    }
    if (!parsed.success) return { type: 'refused', because: 'hello', reason: `the hello is not one: ${formatIssues(parsed.error)}` };
    const given = Buffer.from(parsed.data.token);
    const expected = Buffer.from(this.options.token());
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { type: 'refused', because: 'token', reason: "the token is not this switchboard's (rotated meanwhile?): read it again from the discovery file." };
    }
    if (parsed.data.version !== this.options.version) {
      return {
        type: 'refused',
        because: 'version',
        reason: `this switchboard is version ${this.options.version} and the window's extension ${parsed.data.version}: the window runs its own until this one ends.`,
      };
    }
    return parsed.data;
  }

  private attach(window: string, socket: Socket): void {
    let attached = this.views.get(window);
    if (attached) {
      clearTimeout(attached.graceTimer);
      attached.graceTimer = undefined;
      // The same window again (a reload whose old socket has not closed yet): the newer one speaks for it.
      attached.socket?.destroy();
    } else {
      attached = { view: new WindowView({ pool: this.options.pool, signInRealm: VS_CODE_REALM }), socket: undefined, graceTimer: undefined };
      this.views.set(window, attached);
    }
    attached.socket = socket;
    const send = (message: ToExtensionMessage) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    attached.view.attach(send);
    send({ type: 'ready', url: `${this.options.origin}${windowPath(window)}` });
    this.options.logger.info(`VS Code window ${window} attached (${this.attachedCount} attached).`);
    this.options.onAttached(this.attachedCount);
  }

  private take(window: string, line: string): void {
    const attached = this.views.get(window);
    if (!attached) return;
    let parsed: ReturnType<typeof toServerMessageSchema.safeParse>;
    try {
      parsed = toServerMessageSchema.safeParse(JSON.parse(line));
    } catch {
      this.options.logger.warn(`Ignored a line from VS Code window ${window} that is not JSON.`);
      return;
    }
    if (!parsed.success) {
      this.options.logger.warn(`Ignored a message from VS Code window ${window} that breaks the contract: ${formatIssues(parsed.error)}`);
      return;
    }
    attached.view.handle(parsed.data);
    if (parsed.data.type === 'registry') this.options.onSecretsChanged();
  }

  private detach(window: string, socket: Socket): void {
    const attached = this.views.get(window);
    if (!attached || attached.socket !== socket) return; // Its successor took over.
    attached.socket = undefined;
    attached.view.detach('the VS Code window went away.');
    this.options.logger.info(`VS Code window ${window} went away; its view stays ${this.options.graceMs / 1000} s for a reload.`);
    attached.graceTimer = setTimeout(() => {
      this.views.delete(window);
      this.options.logger.info(`VS Code window ${window} did not come back: its own proxies stop.`);
      void attached.view.close();
      this.options.onSecretsChanged();
    }, this.options.graceMs);
    this.options.onAttached(this.attachedCount);
  }

  private get attachedCount(): number {
    return [...this.views.values()].filter((attached) => attached.socket !== undefined).length;
  }
}
