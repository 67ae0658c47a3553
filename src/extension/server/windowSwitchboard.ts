import * as vscode from 'vscode';
import type { ToExtensionMessage, ToServerMessage } from '../../core/ipc';
import { messageOf } from '../errors';
import { SharedSwitchboardUnavailable, type SharedWindowLink } from './sharedWindow';
import type { ServerPhase, SwitchboardLink } from './switchboardLink';

export interface WindowSwitchboardOptions {
  readonly log: vscode.LogOutputChannel;
  /** Whether the user wants the shared switchboard (mcpSwitchboard.sharedSwitchboard). */
  readonly wantsShared: () => boolean;
  /** Fires when that wish may have changed. */
  readonly onDidChangeWish: vscode.Event<void>;
  readonly ownSwitchboard: () => SwitchboardLink;
  readonly sharedSwitchboard: () => SharedWindowLink;
}

/**
 * The switchboard this window uses: a process of its own, or the user's
 * shared one, as the setting says, switching when it changes. When the
 * shared one refuses the window (another version runs) or cannot start, the
 * window falls back to one of its own and works as before. The rest of the
 * extension sees one link whose events never stop, whichever serves.
 */
export class WindowSwitchboard implements SwitchboardLink {
  private readonly phaseChanged = new vscode.EventEmitter<ServerPhase>();
  readonly onDidChangePhase = this.phaseChanged.event;
  private readonly received = new vscode.EventEmitter<ToExtensionMessage>();
  readonly onDidReceiveMessage = this.received.event;
  private readonly tokenChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeToken = this.tokenChanged.event;

  private current: SwitchboardLink;
  private currentIsShared: boolean;
  private forwarding: vscode.Disposable[] = [];
  /** Switches one at a time, so the last wish wins. */
  private switching: Promise<void> = Promise.resolve();
  private readonly wishSubscription: vscode.Disposable;

  constructor(private readonly options: WindowSwitchboardOptions) {
    this.currentIsShared = options.wantsShared();
    this.current = this.make(this.currentIsShared);
    this.wishSubscription = options.onDidChangeWish(() => this.follow());
  }

  get phase(): ServerPhase {
    return this.current.phase;
  }

  get processId(): number | undefined {
    return this.current.processId;
  }

  get token(): string {
    return this.current.token;
  }

  /** Whether the user's shared switchboard serves this window now. */
  get isShared(): boolean {
    return this.currentIsShared;
  }

  ensureRunning(): Promise<string> {
    return this.orOwnOnRefusal(() => this.current.ensureRunning());
  }

  restart(): Promise<string> {
    return this.orOwnOnRefusal(() => this.current.restart());
  }

  send(message: ToServerMessage): boolean {
    return this.current.send(message);
  }

  stop(): Promise<void> {
    return this.current.stop();
  }

  async disposeAsync(): Promise<void> {
    this.wishSubscription.dispose();
    await this.switching;
    for (const subscription of this.forwarding) subscription.dispose();
    await this.current.disposeAsync();
    this.phaseChanged.dispose();
    this.received.dispose();
    this.tokenChanged.dispose();
  }

  dispose(): void {
    void this.disposeAsync();
  }

  /** Runs `start`; when the shared switchboard will not serve, the window's own answers instead. */
  private async orOwnOnRefusal(start: () => Promise<string>): Promise<string> {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof SharedSwitchboardUnavailable)) throw error;
      await this.switching; // The fallback that onDidBecomeUnavailable began.
      return await this.current.ensureRunning();
    }
  }

  /** Switches to what the setting asks for now, if that is not what serves. */
  private follow(): void {
    this.switching = this.switching.then(async () => {
      const shared = this.options.wantsShared();
      if (shared === this.currentIsShared) return;
      this.options.log.info(shared ? "Attaching this window to the user's shared switchboard." : 'Running a switchboard of this window’s own.');
      await this.use(shared);
    });
  }

  private fallBack(error: SharedSwitchboardUnavailable): void {
    this.switching = this.switching.then(async () => {
      if (!this.currentIsShared) return;
      this.options.log.warn(`Running a switchboard of this window's own for now: ${error.message}`);
      if (!error.otherVersion) void this.tellUser(error.message);
      await this.use(false);
    });
  }

  /** Says why the window does not share, where the user can see it, with the setting that changes it. */
  private async tellUser(reason: string): Promise<void> {
    const setting = /mcpSwitchboard\.port/.test(reason) ? 'mcpSwitchboard.port' : 'mcpSwitchboard.sharedSwitchboard';
    const choice = await vscode.window.showWarningMessage(`MCP Switchboard runs a switchboard of this window's own for now: ${reason}`, 'Open Settings', 'Show Logs');
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', setting);
    if (choice === 'Show Logs') this.options.log.show();
  }

  /** Replaces the link that serves, and starts the new one if the old one was wanted running. */
  private async use(shared: boolean): Promise<void> {
    const previous = this.current;
    const wanted = previous.phase.kind !== 'idle';
    for (const subscription of this.forwarding) subscription.dispose();
    this.currentIsShared = shared;
    this.current = this.make(shared);
    await previous.disposeAsync();
    this.phaseChanged.fire(this.current.phase);
    if (wanted) this.current.ensureRunning().catch((error: unknown) => this.options.log.error(`The switchboard server did not start: ${messageOf(error)}`));
  }

  private make(shared: boolean): SwitchboardLink {
    if (!shared) return this.forward(this.options.ownSwitchboard());
    const link = this.forward(this.options.sharedSwitchboard());
    this.forwarding.push(link.onDidBecomeUnavailable((error) => this.fallBack(error)));
    return link;
  }

  /** Passes the link's events on as this one's, until the next switch. */
  private forward<T extends SwitchboardLink>(link: T): T {
    this.forwarding = [
      link.onDidChangePhase((phase) => this.phaseChanged.fire(phase)),
      link.onDidReceiveMessage((message) => this.received.fire(message)),
      link.onDidChangeToken(() => this.tokenChanged.fire()),
    ];
    return link;
  }
}
