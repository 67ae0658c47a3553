import type { ChildProcess } from 'node:child_process';
import spawn from 'cross-spawn';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CannotStartError } from './errors';
import { LineSplitter, LineWriter, OrderedDelivery, parseJsonRpcLine } from './jsonLines';

export interface StdioBackendParameters {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string | undefined;
}

export interface StdioBackendHooks {
  /** Each line the backend writes to stderr. */
  readonly onStderrLine: (line: string) => void;
  /** Each stdout line that is not a JSON-RPC message (skipped, not fatal). */
  readonly onGarbageLine: (line: string) => void;
  /** A stdout line over the size limit (dropped, not fatal). */
  readonly onOversizedLine: () => void;
}

/** How long a backend gets to exit after SIGTERM before its process group is killed. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs a stdio backend in its own process group and speaks MCP over its pipes.
 * Unlike the SDK's stdio client it ends the whole group (npx and shells start
 * grandchildren), skips non-JSON stdout lines instead of failing, and sends
 * stderr to our log.
 */
export class ProcessGroupStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /**
   * Offered each stdout line before it is parsed, when no message is waiting
   * ahead of it; returning true takes the line (the direct relay's answers,
   * passed on as bytes).
   */
  claimLine?: (line: Buffer) => boolean;

  private child: ChildProcess | undefined;
  private writer: LineWriter | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly parameters: StdioBackendParameters,
    private readonly hooks: StdioBackendHooks,
  ) {}

  /** The backend's process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const { command, args, env, cwd } = this.parameters;
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], {
        env,
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own group, so closing ends grandchildren too (POSIX only: Windows has no groups).
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
      this.child = child;
      if (child.stdin) this.writer = new LineWriter(child.stdin);
      this.exited = new Promise((done) => child.once('close', () => done()));
      child.once('error', (error: NodeJS.ErrnoException) => {
        const friendly = spawnErrorMessage(command, cwd, error);
        reject(new CannotStartError(friendly));
        this.onerror?.(new Error(friendly));
      });
      child.once('spawn', () => resolve());
      child.once('close', (code, signal) => {
        this.child = undefined;
        if (code !== 0 && code !== null) this.onerror?.(new Error(`exited with code ${code}`));
        else if (signal) this.onerror?.(new Error(`was killed by ${signal}`));
        this.onclose?.();
      });
      const delivery = new OrderedDelivery((message) => this.onmessage?.(message));
      const stdout = new LineSplitter(
        (bytes) => {
          if (this.claimLine && delivery.idle && this.claimLine(bytes)) return;
          const line = bytes.toString('utf8');
          const message = parseJsonRpcLine(line);
          if (message) delivery.push(message);
          else this.hooks.onGarbageLine(line);
        },
        () => this.hooks.onOversizedLine(),
      );
      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      const stderr = new LineSplitter((line) => this.hooks.onStderrLine(line.toString('utf8')), () => undefined);
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      // A backend that exits while we write must not crash the switchboard with EPIPE.
      child.stdin?.on('error', (error) => this.onerror?.(error));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !this.writer) return Promise.reject(new Error('the process is not running'));
    return this.writer.write(message);
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin?.end();
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    // The leader is gone; anything it left behind in its group goes too.
    signalGroup(child, 'SIGKILL');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function spawnErrorMessage(command: string, cwd: string | undefined, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return cwd !== undefined
      ? `Cannot run "${command}" in "${cwd}": the command or the folder does not exist. Check the command is installed and on PATH, and the cwd.`
      : `Cannot run "${command}": no such command. Check it is installed and on PATH, or give its full path.`;
  }
  if (error.code === 'EACCES') return `Cannot run "${command}": permission denied. Make it executable.`;
  // Entries are held under the limits; variables expanded into them can still go past what the system starts.
  if (error.code === 'E2BIG') return `Cannot run "${command}": its arguments and environment, with variables expanded, are too long for the system.`;
  return `Cannot run "${command}": ${error.message}`;
}
