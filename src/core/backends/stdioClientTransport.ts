import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type BackendProcess, launchBackend, signalGroup, type StdioBackendParameters } from './backendProcess';
import { LineSplitter, LineWriter, OrderedDelivery, parseJsonRpcLine } from '../jsonLines';

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
 * stderr to our log. It can take over a process started earlier (EarlyStarts)
 * instead of starting one.
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

  private process: BackendProcess | undefined;
  private running = false;
  private writer: LineWriter | undefined;

  constructor(
    private readonly parameters: StdioBackendParameters,
    private readonly hooks: StdioBackendHooks,
    /** A process already started with these parameters, to take over. */
    private readonly early?: BackendProcess,
  ) {}

  /** The backend's process id, once started. */
  get pid(): number | undefined {
    return this.running ? this.process?.child.pid : undefined;
  }

  async start(): Promise<void> {
    const started = this.early ?? launchBackend(this.parameters);
    this.process = started;
    this.running = true;
    const { child } = started;
    if (child.stdin) this.writer = new LineWriter(child.stdin);
    void started.closed.then(({ code, signal }) => {
      this.running = false;
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
    try {
      await started.started;
    } catch (error) {
      this.onerror?.(error as Error);
      throw error;
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.process?.child.stdin;
    if (!this.running || !stdin || stdin.destroyed || !this.writer) return Promise.reject(new Error('the process is not running'));
    return this.writer.write(message);
  }

  async close(): Promise<void> {
    const started = this.process;
    if (!started || !this.running) return;
    const { child } = started;
    child.stdin?.end();
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS);
    await started.closed;
    clearTimeout(timer);
    // The leader is gone; anything it left behind in its group goes too.
    signalGroup(child, 'SIGKILL');
  }
}
