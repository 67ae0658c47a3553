import assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineSplitter, MAX_LINE_BYTES, OrderedDelivery, parseJsonRpcLine } from '../../src/core/jsonLines';

describe('JSON lines', () => {
  it('splits lines across chunks, with and without CR', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line.toString()), () => assert.fail('not oversized'));
    splitter.push(Buffer.from('{"a":1}\n{"b"'));
    splitter.push(Buffer.from(':2}\r\n\n{"c":3}'));
    splitter.push(Buffer.from('\n'));
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('drops a line over the limit wherever its last byte falls, and skips the rest of it', () => {
    const lines: number[] = [];
    let oversized = 0;
    const splitter = new LineSplitter((line) => lines.push(line.length), () => oversized++);
    const chunk = 64 * 1024;
    const feed = (length: number) => {
      const line = Buffer.alloc(length + 1, 0x78);
      line[length] = 10;
      for (let start = 0; start < line.length; start += chunk) splitter.push(line.subarray(start, start + chunk));
    };
    feed(MAX_LINE_BYTES); // exactly the limit: kept
    feed(MAX_LINE_BYTES + 1); // one over, the excess in the chunk that ends it
    feed(MAX_LINE_BYTES + chunk * 3); // far over: dropped once, its tail not taken for a line
    splitter.push(Buffer.from('{"after":1}\n'));
    assert.deepEqual(lines, [MAX_LINE_BYTES, 11]);
    assert.equal(oversized, 2);
  });

  it('accepts JSON-RPC messages and rejects anything else', () => {
    assert.ok(parseJsonRpcLine('{"jsonrpc":"2.0","id":1,"method":"ping"}'));
    assert.ok(parseJsonRpcLine('{"jsonrpc":"2.0","id":1,"result":{}}'));
    assert.equal(parseJsonRpcLine('Server started on port 3000'), undefined);
    assert.equal(parseJsonRpcLine('{"not":"rpc"}'), undefined);
    assert.equal(parseJsonRpcLine('{broken'), undefined);
  });

  it('lets notification handlers run before a later answer is delivered', async () => {
    const seen: string[] = [];
    const delivery = new OrderedDelivery((message) => {
      // Like the SDK: notifications are handled a microtask later, answers at once.
      if ('id' in message) seen.push('answer');
      else void Promise.resolve().then(() => seen.push('notification'));
    });
    delivery.push({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } } as JSONRPCMessage);
    delivery.push({ jsonrpc: '2.0', id: 1, result: {} } as JSONRPCMessage);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ['notification', 'answer']);
  });
});
