/**
 * A minimal Streamable HTTP caller: plain node:http POSTs on keep-alive
 * sockets, joining a session that an SDK client opened. It exists to tell the
 * server's cost from the client's: the SDK's client (fetch, per-request
 * AbortSignal listeners, zod parsing) can cost more CPU per call than the
 * server it measures, and on a small machine the client then sets the pace.
 */
import http from 'node:http';

export interface LeanCaller {
  call(): Promise<void>;
  close(): void;
}

export interface LeanSession {
  readonly url: string;
  readonly token: string | undefined;
  readonly sessionId: string;
  readonly protocolVersion: string;
}

/** Calls `tool` with `argumentsGiven` over `session`; each answer must contain `expect`. */
export function leanCaller(session: LeanSession, tool: string, argumentsGiven: Record<string, unknown>, expect: string, sockets: number): LeanCaller {
  const target = new URL(session.url);
  if (target.hostname !== '127.0.0.1') throw new Error(`The lean client only talks to 127.0.0.1, not ${target.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-session-id': session.sessionId,
    'mcp-protocol-version': session.protocolVersion,
    ...(session.token === undefined ? {} : { authorization: `Bearer ${session.token}` }),
  };
  let next = 0;
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: `lean-${++next}`, method: 'tools/call', params: { name: tool, arguments: argumentsGiven } });
      const request = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            if (response.statusCode === 200 && text.includes(expect)) resolve();
            else reject(new Error(`HTTP ${String(response.statusCode)}: ${text.slice(0, 200)}`));
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return { call, close: () => agent.destroy() };
}
