import { homedir } from 'node:os';
import { version } from '../../../package.json';
import type { BackendPool } from '../../core/backends/backendPool';
import { connectFrontSession } from '../../core/front/frontServer';
import { MANAGEMENT_TOOLS } from '../../core/front/managementTools';
import type { ToExtensionMessage, ToServerMessage } from '../../core/ipc';
import { createLogger } from '../../core/logger';
import { Switchboard } from '../../core/switchboard';
import { DEFAULT_SURFACE } from '../../core/surface/toolSurface';
import type { HttpSessionTransport } from '../fronts/httpSession';
import { serverIdentity } from '../fronts/serverIdentity';
import { IpcRegistryEditor } from './ipcRegistryEditor';
import { IpcSignInHost } from './ipcSignInHost';

/** State messages are gathered for this long, so a burst of changes is one message. */
const STATE_DEBOUNCE_MS = 50;

type RegistryMessage = Extract<ToServerMessage, { type: 'registry' }>;

export interface WindowViewOptions {
  /** The backends this view shares with the other views of the process; its own when undefined. */
  readonly pool?: BackendPool;
  /** Where its sign-ins are kept: every window's are in VS Code's SecretStorage, which windows of one user share. */
  readonly signInRealm?: string;
}

/**
 * The switchboard one VS Code window sees, driven by that window's messages
 * (ipc.ts): the registry with its secrets and workspace folder, sign-in,
 * restarts; it answers with states, log lines and the agent's change
 * requests. The server the extension forks runs one; the user's shared
 * switchboard runs one per attached window, over a pool of shared backends.
 */
export class WindowView {
  readonly switchboard: Switchboard;
  private registry: RegistryMessage | undefined;
  private sendNow: ((message: ToExtensionMessage) => void) | undefined;
  private readonly editor: IpcRegistryEditor;
  /** The window's SecretStorage and browser, for sign-ins (also of the proxies the user's switchboard serves from VS Code's settings). */
  readonly signInHost: IpcSignInHost;
  private readonly identity = serverIdentity();
  private stateTimer: NodeJS.Timeout | undefined;
  private settleFirstRegistry: () => void = () => undefined;
  /** Resolves when the window's first registry is in: the front listens after that. */
  readonly firstRegistry = new Promise<void>((resolve) => (this.settleFirstRegistry = resolve));

  constructor(options: WindowViewOptions = {}) {
    const send = (message: ToExtensionMessage) => this.sendNow?.(message);
    this.editor = new IpcRegistryEditor(send);
    this.signInHost = new IpcSignInHost(send);
    this.switchboard = new Switchboard({
      logger: createLogger((record) => send({ type: 'log', ...record }), 'debug'),
      clientInfo: { name: 'mcp-switchboard', version },
      expansion: () => ({
        env: process.env,
        userHome: homedir(),
        workspaceFolder: this.registry?.workspaceFolder,
        secret: (key) => this.secret(key),
      }),
      ownTools: MANAGEMENT_TOOLS,
      signInHost: this.signInHost,
      ...(options.pool && { pool: options.pool }),
      ...(options.signInRealm !== undefined && { signInRealm: options.signInRealm }),
    });
    this.switchboard.onDidChangeStatus(() => {
      this.stateTimer ??= setTimeout(() => {
        this.stateTimer = undefined;
        this.sendState();
      }, STATE_DEBOUNCE_MS);
    });
  }

  /** Where the view's messages go from now on: the window's channel, or nowhere while it is away. */
  attach(send: (message: ToExtensionMessage) => void): void {
    this.sendNow = send;
  }

  /** The window went away: what waits for its answer fails, and nothing is sent until it is back. */
  detach(reason: string): void {
    this.sendNow = undefined;
    this.editor.abandon(reason);
    this.signInHost.abandon(reason);
  }

  /** Says every proxy's state now (to a window that is back: it missed what changed meanwhile). */
  sendState(): void {
    this.sendNow?.({ type: 'state', proxies: this.switchboard.statuses() });
  }

  /** Takes one message from the window. */
  handle(message: ToServerMessage): void {
    const switchboard = this.switchboard;
    switch (message.type) {
      case 'registry':
        this.registry = message;
        switchboard.configureSurface(message.surface ?? DEFAULT_SURFACE);
        switchboard.applyRegistry(message.proxies);
        this.settleFirstRegistry();
        break;
      case 'changeResult':
        this.editor.settle(message);
        break;
      case 'restartProxy':
        void switchboard.restartProxy(message.name);
        break;
      case 'signIn':
      case 'signOut': {
        const { id, name } = message;
        (message.type === 'signIn' ? switchboard.signIn(name) : switchboard.signOut(name)).then(
          () => this.sendNow?.({ type: 'signInResult', id, ok: true }),
          (error: unknown) => this.sendNow?.({ type: 'signInResult', id, ok: false, error: error instanceof Error ? error.message : String(error) }),
        );
        break;
      }
      case 'cancelSignIn':
        void switchboard.cancelSignIn(message.name); // Its sign-in answers the window with the cancellation.
        break;
      case 'hostResult':
        this.signInHost.settle(message);
        break;
    }
  }

  /** Connects a client's session to this view. */
  async openSession(transport: HttpSessionTransport, profile: string | undefined): Promise<void> {
    await connectFrontSession(this.switchboard, transport, { id: transport.sessionId, version, identity: this.identity, editor: this.editor, profile });
  }

  /** The value the window gave for `${secret:KEY}`, if any. */
  secret(key: string): string | undefined {
    const secrets = this.registry?.secrets;
    return secrets && Object.hasOwn(secrets, key) ? secrets[key] : undefined; // Not a name of Object's prototype.
  }

  profiles(): readonly string[] {
    return Object.keys(this.switchboard.surface.profiles);
  }

  /** Lets go of its backends (the pool stops those no other view holds). */
  async close(): Promise<void> {
    clearTimeout(this.stateTimer);
    this.detach('the VS Code window closed.');
    await this.switchboard.close();
  }
}
