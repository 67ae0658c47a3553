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

/** Sends `method` with `params` over `session`, as often as called; each answer must contain `expect`. */
export function leanCaller(session: LeanSession, method: string, params: Record<string, unknown>, expect: string, sockets: number): LeanCaller {
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
  /**
   * A keep-alive socket the server closes (idle timeout: a side waits while the
   * others are measured) just as a request goes out fails with ECONNRESET; such
   * a request on a reused socket is sent again once, as Node's docs advise.
   */
  const call = async (): Promise<void> => {
    try {
      await attempt();
    } catch (error) {
      if ((error as { reusedSocket?: boolean; code?: string }).reusedSocket === true && (error as { code?: string }).code === 'ECONNRESET') await attempt();
      else throw error;
    }
  };
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: `lean-${++next}`, method, params });
      const request = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            // Searched as bytes: decoding megabytes of answer would bill the client's work to the server.
            const body = Buffer.concat(chunks);
            if (response.statusCode === 200 && body.includes(expect)) resolve();
            else reject(new Error(`HTTP ${String(response.statusCode)}: ${body.subarray(0, 200).toString('utf8')}`));
          });
          response.on('error', reject);
        },
      );
      request.on('error', (error: Error) => reject(Object.assign(error, { reusedSocket: request.reusedSocket })));
      request.end(body);
    });
  return { call, close: () => agent.destroy() };
}
