import assert from 'node:assert/strict';
import { answerFrame } from '../../src/core/backends/answerFrames';

const frameOf = (text: string) => {
  const frame = answerFrame(Buffer.from(text));
  return frame && { id: frame.id, result: frame.result.toString() };
};

describe('Answer frames (results found without parsing)', () => {
  it("finds the result in the TypeScript SDK's frame and in the id-first frame", () => {
    const result = '{"content":[{"type":"text","text":"Echo: }\\"id\\":7}"}]}';
    assert.deepEqual(frameOf(`{"result":${result},"jsonrpc":"2.0","id":1000000000042}`), { id: 1000000000042, result });
    assert.deepEqual(frameOf(`{"jsonrpc":"2.0","id":1000000000042,"result":${result}}`), { id: 1000000000042, result });
  });

  it('hands back a slice whose JSON is the result, also when it holds frame-like text', () => {
    const result = { content: [{ type: 'text', text: ',"jsonrpc":"2.0","id":5}' }], structuredContent: { id: 5 } };
    const frame = answerFrame(Buffer.from(JSON.stringify({ result, jsonrpc: '2.0', id: 1000000000001 })));
    assert.equal(frame?.id, 1000000000001);
    assert.deepEqual(JSON.parse(frame?.result.toString() ?? 'null'), result);
  });

  it('leaves everything else to the parser', () => {
    for (const line of [
      '{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found"}}',
      '{"error":{"code":-32601,"message":"no"},"jsonrpc":"2.0","id":3}',
      '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}',
      '{"jsonrpc":"2.0","id":"abc","result":{}}',
      '{"result":{},"jsonrpc":"2.0","id":"abc"}',
      '{"jsonrpc": "2.0", "id": 3, "result": {}}',
      '{"jsonrpc":"2.0","id":3,"result":[1,2]}',
      '{"jsonrpc":"2.0","id":3,"result":{}',
      '{"result":{},"jsonrpc":"2.0","id":}',
      '{"jsonrpc":"2.0","id":1234567890123456,"result":{}}',
      'Server started on port 3000',
      '{}',
    ]) {
      assert.equal(answerFrame(Buffer.from(line)), undefined, line);
    }
  });
});
