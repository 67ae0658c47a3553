import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { LineSplitter, LineWriter, parseJsonRpcLine, type SendsSerializedAnswers, serializedAnswer } from '../../core/jsonLines';
import type { Logger } from '../../core/logger';

/**
 * The front over stdin/stdout. Like the SDK's stdio server transport, but it
 * checks each line's shape instead of parsing it with a schema (the protocol
 * layer validates what it dispatches), which keeps the per-call cost down.
 */
export class StdioFrontTransport implements Transport, SendsSerializedAnswers {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  private readonly splitter: LineSplitter;
  private readonly writer: LineWriter;
  private closed = false;
  private readonly onData = (chunk: Buffer) => this.splitter.push(chunk);
  private readonly onEnd = () => void this.close();

  constructor(
    private readonly logger: Logger,
    private readonly input: NodeJS.ReadableStream = process.stdin,
    output: NodeJS.WritableStream & { cork(): void; uncork(): void } = process.stdout,
  ) {
    this.writer = new LineWriter(output);
    this.splitter = new LineSplitter(
      (bytes) => {
        const line = bytes.toString('utf8');
        const message = parseJsonRpcLine(line);
        if (message) this.onmessage?.(message);
        else this.logger.warn(`Ignored a line on stdin that is not a JSON-RPC message: ${line.slice(0, 200)}`);
      },
      (bytes) => this.logger.error(`Dropped a ${bytes}-byte message on stdin: over the size limit.`),
    );
  }

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.writer.write(message);
  }

  sendSerializedAnswer(id: RequestId, resultJson: Buffer): Promise<void> {
    return this.writer.writeSerialized(serializedAnswer(id, resultJson));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.onclose?.();
  }
}
