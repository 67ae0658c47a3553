import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

/** A line the switchboard sent a window (ipc.ts's ToExtensionMessage, or `refused`). */
export interface WindowMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * A VS Code window as the user's switchboard sees one: a socket that says
 * hello, then speaks the IPC messages one per line. The tests drive it
 * directly, so they can play two windows, a window that vanishes, or one
 * with the wrong token, against a real switchboard process.
 */
export class WindowClient {
  readonly messages: WindowMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private closed = false;

  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket }).on('line', (line) => {
      this.messages.push(JSON.parse(line) as WindowMessage);
      for (const wake of this.waiters) wake();
    });
    socket.once('close', () => {
      this.closed = true;
      for (const wake of this.waiters) wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(path: string): Promise<WindowClient> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new WindowClient(socket);
  }

  /** Says hello and resolves with the switchboard's answer: `ready` with the window's URL, or `refused`. */
  async hello(token: string, window: string, version: string): Promise<WindowMessage> {
    this.send({ type: 'hello', token, window, version });
    return await this.next((message) => message.type === 'ready' || message.type === 'refused');
  }

  send(message: unknown): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** The first message (already in, or still to come) that `matches`, within `timeoutMs`. */
  async next(matches: (message: WindowMessage) => boolean, timeoutMs = 20_000): Promise<WindowMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(matches);
      if (found) return found;
      if (this.closed) throw new Error(`the switchboard closed the window's socket; it had sent: ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such message within ${timeoutMs} ms; had: ${JSON.stringify(this.messages).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Whether the switchboard has closed the socket. */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
