import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { type ToExtensionMessage, type ToServerMessage, toExtensionMessageSchema } from '../../core/ipc';
import { formatIssues } from '../../core/registry/registry';
import { type WindowHello, windowRefusedSchema } from '../../core/user/windowChannel';

/** How long the switchboard may take to answer the hello. */
const READY_TIMEOUT_MS = 10_000;

/** Nobody listens on the socket (no file, or a file a dead switchboard left): one may be started. */
export class NoSwitchboardListening extends Error {}

/** The switchboard answered the hello with `refused` (another version, a wrong token). */
export class WindowRefused extends Error {
  constructor(
    reason: string,
    /** What was wrong: another version, or the hello itself. */
    readonly because: 'hello' | 'token' | 'version',
  ) {
    super(reason);
  }
}

export interface WindowSocketHandlers {
  /** Every valid message after `ready`. */
  readonly onMessage: (message: ToExtensionMessage) => void;
  /** A line that breaks the contract: it is ignored, and this says why. */
  readonly onBadLine: (problem: string) => void;
  /** The socket closed after `ready`, by either end. */
  readonly onClose: () => void;
}

/**
 * A VS Code window attached to the user's shared switchboard over its window
 * socket (core/user/windowChannel.ts): one JSON message per line, the
 * window's hello first, then the messages of core/ipc.ts both ways.
 */
export class WindowSocket {
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    /** The URL of this window's own view (its user and workspace proxies). */
    readonly url: string,
  ) {}

  /**
   * Connects, says hello and waits for `ready`. Rejects with
   * NoSwitchboardListening when nobody listens, WindowRefused when the
   * switchboard says no, and a plain Error for anything else.
   */
  static open(path: string, hello: WindowHello, handlers: WindowSocketHandlers): Promise<WindowSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      let attached: WindowSocket | undefined;
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`the switchboard did not answer within ${READY_TIMEOUT_MS / 1000} s.`)), READY_TIMEOUT_MS);

      socket.once('connect', () => socket.write(`${JSON.stringify(hello)}\n`));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (attached) return; // The close that follows says it.
        fail(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? new NoSwitchboardListening(`nobody listens on ${path}`) : error);
      });
      socket.on('close', () => {
        if (attached) attached.ended(handlers);
        else fail(new Error('the switchboard closed the connection without answering.'));
      });

      const lines = createInterface({ input: socket, crlfDelay: Infinity });
      lines.on('error', () => undefined); // readline passes on the socket's errors, which its own handler above deals with.
      lines.on('line', (line) => {
        if (line.trim() === '') return;
        const value = parseLine(line);
        if (attached) {
          const parsed = toExtensionMessageSchema.safeParse(value);
          if (parsed.success) handlers.onMessage(parsed.data);
          else handlers.onBadLine(value === undefined ? 'a line that is not JSON' : formatIssues(parsed.error));
          return;
        }
        const refused = windowRefusedSchema.safeParse(value);
        if (refused.success) return fail(new WindowRefused(refused.data.reason, refused.data.because));
        const ready = toExtensionMessageSchema.safeParse(value);
        if (!ready.success || ready.data.type !== 'ready') return fail(new Error('the switchboard answered the hello with something other than ready or refused.'));
        clearTimeout(timer);
        attached = new WindowSocket(socket, ready.data.url);
        resolve(attached);
      });
    });
  }

  /** Sends a message unless the socket has closed; returns whether it was sent. */
  send(message: ToServerMessage): boolean {
    if (this.closed || !this.socket.writable) return false;
    this.socket.write(`${JSON.stringify(message)}\n`);
    return true;
  }

  /** Closes the socket on purpose: onClose is not called. */
  close(): void {
    this.closed = true;
    this.socket.end();
    // A peer that never ends its half would keep the socket open: it goes after a moment anyway.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  private ended(handlers: WindowSocketHandlers): void {
    if (this.closed) return;
    this.closed = true;
    handlers.onClose();
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
