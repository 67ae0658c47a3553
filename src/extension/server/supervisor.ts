import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { PORT_ENV, TOKEN_ENV, type ToExtensionMessage, type ToServerMessage, toExtensionMessageSchema } from '../../core/ipc';
import { formatIssues } from '../../core/registry/registry';
import { BackendGroups } from './backendGroups';
import type { ServerPhase, SwitchboardLink } from './switchboardLink';

export interface SupervisorOptions {
  /** Absolute path of dist/server.js. */
  readonly serverPath: string;
  /** The bearer token the server requires; the same for every start in this session, so the MCP definition stays put. */
  readonly token: string;
  readonly log: vscode.LogOutputChannel;
  /** The first message every new process gets: the current registry. */
  readonly initialMessage: () => Promise<ToServerMessage>;
  /** Where the backends' process groups are recorded; a test may pass its own. */
  readonly backendGroups?: BackendGroups;
}

/** How long a process may take from fork to `ready`. */
const READY_TIMEOUT_MS = 20_000;
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** A process that ran this long was healthy: the next crash starts the backoff over. */
const HEALTHY_RUN_MS = 60_000;
/** After this many crashes in a row without a healthy run, stop and ask the user. */
const MAX_QUICK_CRASHES = 6;
const STOP_GRACE_MS = 3_000;

/**
 * Runs the switchboard server (dist/server.js) as a child process with Node IPC:
 * starts it on demand, restarts it with backoff when it dies, and ends it (and,
 * through it, every backend it started) when the extension stops.
 */
export class ServerSupervisor implements SwitchboardLink {
  private readonly phaseChanged = new vscode.EventEmitter<ServerPhase>();
  readonly onDidChangePhase = this.phaseChanged.event;
  private readonly received = new vscode.EventEmitter<ToExtensionMessage>();
  /** Every valid message from the server, `ready` included. */
  readonly onDidReceiveMessage = this.received.event;
  /** Never fires: the token is made once per activation, so restarts keep the MCP definition. */
  readonly onDidChangeToken: vscode.Event<void> = () => new vscode.Disposable(() => undefined);

  private currentPhase: ServerPhase = { kind: 'idle' };
  private child: ChildProcess | undefined;
  private starting: Promise<string> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private quickCrashes = 0;
  /** The port the last server listened on: its successor listens there again, so the MCP definition keeps its URL. */
  private lastPort: number | undefined;
  private disposed = false;
  private readonly backendGroups: BackendGroups;

  constructor(private readonly options: SupervisorOptions) {
    this.backendGroups = options.backendGroups ?? new BackendGroups();
  }

  get phase(): ServerPhase {
    return this.currentPhase;
  }

  /** The process id of the running server, if any. */
  get processId(): number | undefined {
    return this.child?.pid;
  }

  get token(): string {
    return this.options.token;
  }

  /** Starts the server unless it runs, and resolves with its URL once it listens. */
  ensureRunning(): Promise<string> {
    if (this.disposed) return Promise.reject(new Error('MCP Switchboard is shutting down.'));
    if (this.currentPhase.kind === 'running') return Promise.resolve(this.currentPhase.url);
    if (this.starting) return this.starting;
    const starting = this.start().finally(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    this.starting = starting;
    return starting;
  }

  /** Ends the running server (if any) and starts a fresh one. */
  async restart(): Promise<string> {
    this.quickCrashes = 0;
    await this.stop();
    return this.ensureRunning();
  }

  /** Sends a message if a server process is there to get it; returns whether it was sent. */
  send(message: ToServerMessage): boolean {
    const child = this.child;
    if (!child?.connected) return false;
    child.send(message);
    return true;
  }

  /**
   * Ends the server process and waits for it to exit (it ends its backends
   * first), and for whatever backends it left, if it had to be forced.
   */
  async stop(): Promise<void> {
    this.cancelRestart();
    const child = this.child;
    this.child = undefined;
    this.starting = undefined;
    if (child) {
      await terminate(child);
      if (child.pid !== undefined) await this.backendGroups.end(child.pid);
    }
    if (!this.disposed) this.setPhase({ kind: 'idle' });
  }

  async disposeAsync(): Promise<void> {
    this.disposed = true;
    await this.stop();
    this.phaseChanged.dispose();
    this.received.dispose();
  }

  dispose(): void {
    void this.disposeAsync();
  }

  private async start(): Promise<string> {
    this.cancelRestart();
    this.setPhase({ kind: 'starting' });
    const { serverPath, token, log } = this.options;
    const child = fork(serverPath, [], {
      // ELECTRON_RUN_AS_NODE makes the desktop host's Electron binary behave as Node; a Node host ignores it.
      env: { ...process.env, [TOKEN_ENV]: token, ELECTRON_RUN_AS_NODE: '1', ...(this.lastPort !== undefined && { [PORT_ENV]: String(this.lastPort) }) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    const startedAt = Date.now();
    let lastStderr = '';
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        lastStderr = line;
        log.warn(`[server] ${line}`);
      });
    }

    const ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the server did not report ready within ${READY_TIMEOUT_MS / 1000} s.`));
        if (this.child === child) child.kill();
      }, READY_TIMEOUT_MS);
      child.on('message', (raw: unknown) => {
        const parsed = toExtensionMessageSchema.safeParse(raw);
        if (!parsed.success) {
          log.error(`Ignored a message from the server that breaks the contract: ${formatIssues(parsed.error)}`);
          return;
        }
        // Every backend the server starts is followed by a state message: the moment to record its process group.
        if (child.pid !== undefined && (parsed.data.type === 'state' || parsed.data.type === 'ready')) this.backendGroups.note(child.pid);
        if (parsed.data.type === 'ready') {
          clearTimeout(timer);
          if (this.child === child) this.setPhase({ kind: 'running', url: parsed.data.url });
          this.lastPort = Number(new URL(parsed.data.url).port) || undefined;
          resolve(parsed.data.url);
        }
        this.received.fire(parsed.data);
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const reason = signal ? `it was ended by ${signal}` : `it exited with code ${code ?? 'unknown'}`;
        if (child.pid !== undefined) void this.endLeftBackends(child.pid, reason); // Logs what it did; stop() awaits the same work.
        reject(new Error(`the server stopped before it was ready: ${reason}${lastStderr ? ` (${lastStderr})` : ''}.`));
        this.onExit(child, reason, Date.now() - startedAt);
      });
    });

    log.info(`Starting the switchboard server (process ${child.pid ?? '?'}).`);
    try {
      child.send(await this.options.initialMessage());
    } catch (error) {
      log.error(`Could not send the registry to the server: ${error instanceof Error ? error.message : String(error)}`);
    }
    const url = await ready;
    log.info(`The switchboard listens at ${url}.`);
    return url;
  }

  private onExit(child: ChildProcess, reason: string, ranForMs: number): void {
    if (this.child !== child) return; // Stopped on purpose: stop() already moved on.
    this.child = undefined;
    this.options.log.warn(`The switchboard server stopped: ${reason}.`);
    this.quickCrashes = ranForMs >= HEALTHY_RUN_MS ? 1 : this.quickCrashes + 1;
    if (this.quickCrashes >= MAX_QUICK_CRASHES) {
      this.setPhase({ kind: 'failed', reason: `it stopped ${this.quickCrashes} times in a row; last time ${reason}` });
      return;
    }
    const inMs = Math.min(FIRST_RESTART_DELAY_MS * 2 ** (this.quickCrashes - 1), MAX_RESTART_DELAY_MS);
    this.setPhase({ kind: 'restarting', reason, inMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.ensureRunning().catch((error: unknown) => {
        // The exit handler of that attempt schedules the next one; this only records why.
        this.options.log.error(`Restarting the switchboard server failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, inMs);
  }

  /** A server that could not end its backends (killed, crashed, forced) leaves their groups running: end them. */
  private async endLeftBackends(pid: number, reason: string): Promise<void> {
    const ended = await this.backendGroups.end(pid);
    if (ended > 0) {
      this.options.log.warn(`Ended ${ended} backend process group${ended === 1 ? '' : 's'} that the server (process ${pid}) left running when ${reason}.`);
    }
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private setPhase(phase: ServerPhase): void {
    this.currentPhase = phase;
    if (!this.disposed) this.phaseChanged.fire(phase);
  }
}

/** Asks the process to stop (SIGTERM: it closes its backends' process groups), then forces it after a grace period. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
