import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/** The largest single message accepted over stdio; bigger lines are dropped with an error. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Splits a byte stream into lines, handed on as bytes (without the newline
 * or a trailing CR): a line the direct relay takes is never decoded. Keeps
 * partial lines as a list of chunks so a multi-megabyte message costs one
 * copy, not one per chunk.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Set after a line went over the limit: the rest of it, up to its newline, is skipped. */
  private skipping = false;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    private readonly onOversized: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (this.skipping) {
        this.skipping = false;
      } else if (this.size + piece.length > MAX_LINE_BYTES) {
        this.onOversized(this.size + piece.length);
      } else if (this.parts.length === 0) {
        this.emit(piece);
      } else {
        this.parts.push(piece);
        this.emit(Buffer.concat(this.parts, this.size + piece.length));
      }
      this.parts = [];
      this.size = 0;
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length && !this.skipping) this.keep(chunk.subarray(start));
  }

  private keep(piece: Buffer): void {
    this.size += piece.length;
    if (this.size > MAX_LINE_BYTES) {
      this.onOversized(this.size);
      this.parts = [];
      this.size = 0;
      this.skipping = true;
      return;
    }
    this.parts.push(piece);
  }

  private emit(bytes: Buffer): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
    if (end > 0) this.onLine(bytes.subarray(0, end));
  }
}

/**
 * Parses one line as a JSON-RPC message, or returns undefined for anything else
 * (a backend printing to stdout by mistake). A shape check, not a schema parse:
 * the protocol layer validates what it dispatches, and this runs on every message.
 */
export function parseJsonRpcLine(line: string): JSONRPCMessage | undefined {
  if (line.charCodeAt(0) !== 123 /* { */ && line.trimStart()[0] !== '{') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return isJsonRpcMessage(value) ? value : undefined;
}

/** Whether a value has the shape of a JSON-RPC 2.0 message. */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.jsonrpc === '2.0' && (typeof record.method === 'string' || 'id' in record);
}

/**
 * Delivers messages in order, letting each notification's handler run before
 * the next message is delivered. The SDK runs notification handlers a
 * microtask later but settles responses at once, so a progress notification
 * read in the same chunk as its call's answer would otherwise be lost.
 */
export class OrderedDelivery {
  private readonly queue: JSONRPCMessage[] = [];
  private waiting = false;

  constructor(private readonly deliver: (message: JSONRPCMessage) => void) {}

  /** Nothing is queued or held: a message taken now overtakes none. */
  get idle(): boolean {
    return !this.waiting && this.queue.length === 0;
  }

  push(message: JSONRPCMessage): void {
    this.queue.push(message);
    if (!this.waiting) this.drain();
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const message = this.queue.shift() as JSONRPCMessage;
      this.deliver(message);
      if (!('id' in message)) {
        // Hold what follows (in this chunk or the next) until the notification's handler has run.
        this.waiting = true;
        setImmediate(() => {
          this.waiting = false;
          this.drain();
        });
        return;
      }
    }
  }
}

/**
 * Writes messages as lines, gathering those sent in the same tick into one
 * write: under load, one system call carries many messages.
 */
export class LineWriter {
  private corked = false;

  constructor(private readonly stream: NodeJS.WritableStream & { cork(): void; uncork(): void }) {}

  write(message: JSONRPCMessage): Promise<void> {
    return this.writeSerialized(JSON.stringify(message));
  }

  /** Writes a message that is already JSON (one line, no newline). */
  writeSerialized(json: string | Buffer): Promise<void> {
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(() => {
        this.corked = false;
        this.stream.uncork();
      });
    }
    let written: boolean;
    if (typeof json === 'string') written = this.stream.write(`${json}\n`);
    else {
      this.stream.write(json);
      written = this.stream.write(NEWLINE);
    }
    if (written) return Promise.resolve();
    return new Promise((resolve) => this.stream.once('drain', resolve));
  }
}

const NEWLINE = Buffer.from('\n');
const ANSWER_END = Buffer.from('}');

/**
 * A JSON-RPC answer around a result that is already UTF-8 JSON. Bytes, not
 * text: measuring or encoding a megabytes-long string built by concatenation
 * costs tens of milliseconds, copying its bytes well under one.
 */
export function serializedAnswer(id: RequestId, resultJson: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`), resultJson, ANSWER_END]);
}

/**
 * A front transport that can send an answer whose result is already JSON, so
 * a large cached result (a tools/list of thousands of tools) is not serialized
 * again for every request, and a backend's result is passed on as it came.
 */
export interface SendsSerializedAnswers {
  sendSerializedAnswer(id: RequestId, resultJson: Buffer): Promise<void>;
}

/** What the switchboard's fronts (stdio, each HTTP session) give it to talk to a client. */
export type FrontTransport = Transport & SendsSerializedAnswers;
