import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ToExtensionMessage, ToServerMessage } from '../../core/ipc';
import { type Discovery, liveDiscovery, readDiscovery } from '../../core/user/discovery';
import type { UserFiles } from '../../core/user/userFiles';
import { messageOf } from '../errors';
import { SwitchboardNotStarted } from './startUserSwitchboard';
import type { ServerPhase, SwitchboardLink } from './switchboardLink';
import { NoSwitchboardListening, WindowRefused, WindowSocket } from './windowSocket';

export interface SharedWindowOptions {
  /** This window's id (windowIdOf): the same after a reload. */
  readonly windowId: string;
  /** The extension's version: a switchboard of another version refuses the window. */
  readonly version: string;
  readonly log: vscode.LogOutputChannel;
  /** The first message after `ready`: the current registry. */
  readonly initialMessage: () => Promise<ToServerMessage>;
  readonly files: UserFiles;
  /** Starts the user's switchboard when none listens, and resolves with its discovery. */
  readonly startSwitchboard: () => Promise<Discovery>;
}

/** The shared switchboard will not serve this window (it refused it, or none can start): the window runs its own. */
export class SharedSwitchboardUnavailable extends Error {
  constructor(
    message: string,
    /** Another version runs (an update, another VS Code): expected, and over once it ends, so the log says it, not a notification. */
    readonly otherVersion = false,
  ) {
    super(message);
  }
}

const FIRST_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 8_000;
/** After this many failed attempts in a row, stop and show why. */
const MAX_FAILED_ATTEMPTS = 6;
/** How long a live switchboard may take to open its window socket after its discovery file appears. */
const SOCKET_WAIT_MS = 5_000;

/**
 * This window attached to the user's shared switchboard over its window
 * socket: it starts the switchboard when none runs, says hello with the
 * token of its discovery file, and then speaks core/ipc.ts as it would to a
 * process of its own. Stopping only detaches: the switchboard goes on for
 * the other windows and clients, and keeps this window's view for its idle
 * grace, so a reload restarts nothing.
 */
export class SharedWindowLink implements SwitchboardLink {
  private readonly phaseChanged = new vscode.EventEmitter<ServerPhase>();
  readonly onDidChangePhase = this.phaseChanged.event;
  private readonly received = new vscode.EventEmitter<ToExtensionMessage>();
  readonly onDidReceiveMessage = this.received.event;
  private readonly tokenChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeToken = this.tokenChanged.event;
  private readonly unavailable = new vscode.EventEmitter<SharedSwitchboardUnavailable>();
  /** The shared switchboard refused this window or could not start, also when reattaching: time to run one of its own. */
  readonly onDidBecomeUnavailable = this.unavailable.event;

  private currentPhase: ServerPhase = { kind: 'idle' };
  private socket: WindowSocket | undefined;
  /** The switchboard last attached to: its pid and token. */
  private discovery: Discovery | undefined;
  private attaching: Promise<string> | undefined;
  /** Bumped by stop(): an attach that was under way then lets go of what it gets. */
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private discoveryWatcher: FSWatcher | undefined;
  private disposed = false;

  constructor(private readonly options: SharedWindowOptions) {}

  get phase(): ServerPhase {
    return this.currentPhase;
  }

  /** The shared switchboard's pid while attached. */
  get processId(): number | undefined {
    return this.socket ? this.discovery?.pid : undefined;
  }

  get token(): string {
    return this.discovery?.token ?? '';
  }

  ensureRunning(): Promise<string> {
    if (this.disposed) return Promise.reject(new Error('MCP Switchboard is shutting down.'));
    if (this.currentPhase.kind === 'running') return Promise.resolve(this.currentPhase.url);
    if (this.attaching) return this.attaching;
    this.cancelRetry();
    const attaching = this.attach(this.generation).finally(() => {
      if (this.attaching === attaching) this.attaching = undefined;
    });
    this.attaching = attaching;
    return attaching;
  }

  async restart(): Promise<string> {
    this.failedAttempts = 0;
    await this.stop();
    return this.ensureRunning();
  }

  send(message: ToServerMessage): boolean {
    return this.socket?.send(message) ?? false;
  }

  /** Detaches: the shared switchboard and the other windows go on. */
  async stop(): Promise<void> {
    this.generation += 1;
    this.cancelRetry();
    this.attaching = undefined;
    this.detach();
    if (!this.disposed) this.setPhase({ kind: 'idle' });
  }

  async disposeAsync(): Promise<void> {
    this.disposed = true;
    await this.stop();
    this.phaseChanged.dispose();
    this.received.dispose();
    this.tokenChanged.dispose();
    this.unavailable.dispose();
  }

  dispose(): void {
    void this.disposeAsync();
  }

  private async attach(generation: number): Promise<string> {
    this.setPhase({ kind: 'starting' });
    const { log, files } = this.options;
    try {
      const { socket, discovery } = await this.connect();
      if (generation !== this.generation) {
        socket.close(); // stop() came meanwhile.
        throw new Error('MCP Switchboard stopped attaching to the shared switchboard.');
      }
      const previousToken = this.discovery?.token;
      this.socket = socket;
      this.discovery = discovery;
      this.failedAttempts = 0;
      this.watchDiscovery(files.discovery);
      log.info(`Attached to the user's switchboard (process ${discovery.pid}) at ${socket.url}.`);
      try {
        socket.send(await this.options.initialMessage());
      } catch (error) {
        log.error(`Could not send the registry to the shared switchboard: ${messageOf(error)}`); // The next change sends it.
      }
      this.setPhase({ kind: 'running', url: socket.url });
      this.received.fire({ type: 'ready', url: socket.url });
      if (previousToken !== undefined && previousToken !== discovery.token) this.fireTokenChanged();
      return socket.url;
    } catch (error) {
      if (generation === this.generation) this.failed(error);
      throw error;
    }
  }

  /**
   * Connects to the switchboard that listens, else starts one; a switchboard
   * just started (or started by another window at the same moment) may write
   * its discovery file a moment before it opens the socket.
   */
  private async connect(): Promise<{ socket: WindowSocket; discovery: Discovery }> {
    const { files, windowId, version } = this.options;
    const deadline = Date.now() + SOCKET_WAIT_MS;
    let discovery = (await liveDiscovery(files.discovery, 0)) ?? (await this.start());
    for (;;) {
      try {
        const socket = await WindowSocket.open(files.windows, { type: 'hello', token: discovery.token, window: windowId, version }, {
          onMessage: (message) => this.received.fire(message),
          onBadLine: (problem) => this.options.log.error(`Ignored a message from the shared switchboard that breaks the contract: ${problem}`),
          onClose: () => this.onUnexpectedClose(socket),
        });
        return { socket, discovery };
      } catch (error) {
        if (error instanceof WindowRefused) {
          throw new SharedSwitchboardUnavailable(
            `the user's switchboard (process ${discovery.pid}, version ${discovery.version}) refused this window: ${error.message}`,
            error.because === 'version',
          );
        }
        if (!(error instanceof NoSwitchboardListening)) throw error;
        const live = await liveDiscovery(files.discovery, 0);
        if (Date.now() > deadline) {
          if (live) throw new SharedSwitchboardUnavailable(`the user's switchboard (process ${live.pid}, version ${live.version}) takes no VS Code windows: nothing listens on ${files.windows}.`);
          throw new Error(`the user's switchboard went away before this window could attach.`);
        }
        discovery = live ?? (await this.start());
        await new Promise((wait) => setTimeout(wait, 100));
      }
    }
  }

  private async start(): Promise<Discovery> {
    this.options.log.info("Starting the user's shared switchboard: none runs.");
    try {
      return await this.options.startSwitchboard();
    } catch (error) {
      if (error instanceof SwitchboardNotStarted) throw new SharedSwitchboardUnavailable(error.message);
      throw error;
    }
  }

  /** An attempt failed: refusals give up on the shared switchboard; anything else is tried again with backoff. */
  private failed(error: unknown): void {
    const reason = messageOf(error);
    this.options.log.warn(`Could not attach to the user's switchboard: ${reason}`);
    if (error instanceof SharedSwitchboardUnavailable) {
      this.setPhase({ kind: 'failed', reason });
      this.unavailable.fire(error);
      return;
    }
    this.failedAttempts += 1;
    if (this.failedAttempts >= MAX_FAILED_ATTEMPTS) {
      this.setPhase({ kind: 'failed', reason: `attaching failed ${this.failedAttempts} times in a row; last time ${reason}` });
      return;
    }
    this.scheduleRetry(reason);
  }

  private onUnexpectedClose(socket: WindowSocket): void {
    if (this.socket !== socket) return;
    this.detach();
    this.options.log.warn("The connection to the user's switchboard closed; attaching again.");
    this.scheduleRetry("the connection to the user's switchboard closed");
  }

  private scheduleRetry(reason: string): void {
    const inMs = Math.min(FIRST_RETRY_DELAY_MS * 2 ** this.failedAttempts, MAX_RETRY_DELAY_MS);
    this.setPhase({ kind: 'restarting', reason, inMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureRunning().catch(() => undefined); // failed() has recorded it and scheduled the next attempt.
    }, inMs);
  }

  /**
   * Follows `rotate-token`: the running switchboard rewrites its discovery
   * file with the new token and refuses the old one at once. The folder is
   * watched, as the file is replaced by a rename.
   */
  private watchDiscovery(path: string): void {
    if (this.discoveryWatcher) return;
    try {
      this.discoveryWatcher = watch(dirname(path), (_event, file) => {
        if (file === basename(path)) void this.rereadToken(path);
      });
      this.discoveryWatcher.on('error', (error) => this.options.log.warn(`Stopped watching ${path} for a new token: ${error.message}`));
    } catch (error) {
      this.options.log.warn(`Cannot watch ${path} for a new token: ${messageOf(error)}`);
    }
  }

  private async rereadToken(path: string): Promise<void> {
    const found = await readDiscovery(path);
    if (!found || !this.socket || found.pid !== this.discovery?.pid || found.token === this.discovery.token) return;
    this.discovery = found;
    this.options.log.info("The user's switchboard has a new token.");
    this.fireTokenChanged();
  }

  private fireTokenChanged(): void {
    if (!this.disposed) this.tokenChanged.fire();
  }

  private detach(): void {
    this.socket?.close();
    this.socket = undefined;
    this.discoveryWatcher?.close();
    this.discoveryWatcher = undefined;
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private setPhase(phase: ServerPhase): void {
    this.currentPhase = phase;
    if (!this.disposed) this.phaseChanged.fire(phase);
  }
}
