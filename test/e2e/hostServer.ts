/**
 * The web server of the MCP Apps host page, on loopback: it serves the page
 * and its browser bundle (host/hostPage.ts, built with esbuild in memory), and
 * relays the page's MCP requests (POST, GET and DELETE /mcp) to the
 * switchboard from Node, adding the bearer token. That is how a web host
 * reaches an MCP server that, on purpose, answers no browser: the page speaks
 * to its own origin, and the token stays on the server side.
 *
 * The relay only serves the page's own origin (`Sec-Fetch-Site: same-origin`):
 * an App's page, sandboxed into an opaque origin, is refused like any other
 * site. It records the JSON-RPC requests it relays, for the test to check.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Headers of the Streamable HTTP transport that pass through, each way. Nothing else does (cookies, Origin, the browser's own). */
const REQUEST_HEADERS = ['accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'] as const;
const RESPONSE_HEADERS = ['content-type', 'content-length', 'mcp-session-id', 'mcp-protocol-version', 'cache-control'] as const;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A JSON-RPC request the page sent through the relay: its method and, for tools/call, the tool's name. */
export interface RelayedRequest {
  readonly method: string;
  readonly tool?: string;
}

export interface HostServer {
  /** The page's origin, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  readonly relayed: RelayedRequest[];
  /** Requests to /mcp refused because they came from another origin. */
  readonly refused: string[];
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <link rel="icon" href="data:,">
  <title>MCP Apps host · MCP Switchboard e2e</title>
  <style>
    body { font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2937; background: #f3f4f6; }
    h1 { font-size: 18px; margin: 0 0 4px; }
    p.where { margin: 0 0 16px; color: #4b5563; }
    #app { background: #fff; border: 1px solid #d1d5db; border-radius: 8px; padding: 12px; }
    #app iframe { width: 100%; height: 320px; border: 0; display: block; }
    #log { font: 12px/1.5 ui-monospace, monospace; color: #374151; padding-left: 18px; }
  </style>
</head>
<body>
  <h1>MCP Apps host</h1>
  <p class="where">ext-apps app bridge · MCP client → same-origin relay → MCP Switchboard → App server</p>
  <div id="app"></div>
  <ol id="log"></ol>
  <script type="module" src="/host.js"></script>
</body>
</html>
`;

async function bundleHostPage(): Promise<string> {
  const built = await build({
    entryPoints: [join(__dirname, 'host', 'hostPage.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const output = built.outputFiles[0];
  if (!output) throw new Error('esbuild produced no bundle for the host page.');
  return output.text;
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`The request body is over ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function recordRequests(body: Buffer, into: RelayedRequest[]): void {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      const { method, id, params } = (message ?? {}) as { method?: unknown; id?: unknown; params?: { name?: unknown } };
      if (typeof method !== 'string' || id === undefined) continue;
      into.push(method === 'tools/call' && typeof params?.name === 'string' ? { method, tool: params.name } : { method });
    }
  } catch {
    // Not JSON: the switchboard says so to the page; nothing to record.
  }
}

/** Starts the page's server on 127.0.0.1 with a free port, relaying /mcp to `switchboard`. */
export async function startHostServer(switchboard: { readonly url: string; readonly token: string | undefined }): Promise<HostServer> {
  const script = await bundleHostPage();
  const target = new URL(switchboard.url);
  const relayed: RelayedRequest[] = [];
  const refused: string[] = [];

  const relay = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const site = incoming.headers['sec-fetch-site'];
    if (site !== 'same-origin') {
      refused.push(`${incoming.method ?? '?'} from ${String(incoming.headers.origin ?? 'no origin')} (Sec-Fetch-Site: ${String(site ?? 'none')})`);
      outgoing.writeHead(403, { 'content-type': 'text/plain' }).end('Only the host page may use this relay.\n');
      return;
    }
    const method = incoming.method ?? 'GET';
    if (!['POST', 'GET', 'DELETE'].includes(method)) {
      outgoing.writeHead(405, { allow: 'POST, GET, DELETE' }).end();
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = incoming.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (switchboard.token) headers.authorization = `Bearer ${switchboard.token}`;
    const body = method === 'POST' ? await readBody(incoming) : undefined;
    if (body) recordRequests(body, relayed);

    const upstream = request(target, { method, headers }, (answer) => {
      const answerHeaders: Record<string, string> = {};
      for (const name of RESPONSE_HEADERS) {
        const value = answer.headers[name];
        if (typeof value === 'string') answerHeaders[name] = value;
      }
      outgoing.writeHead(answer.statusCode ?? 502, answerHeaders);
      // Event streams flow through as they come.
      outgoing.flushHeaders();
      answer.pipe(outgoing);
    });
    upstream.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`The switchboard did not answer: ${error.message}\n`);
    });
    // The page closed its stream (a GET, or a page that went away): so does the relay.
    outgoing.on('close', () => upstream.destroy());
    upstream.end(body);
  };

  const server = createServer((incoming, outgoing) => {
    const path = new URL(incoming.url ?? '/', 'http://host').pathname;
    if (path === '/mcp') {
      relay(incoming, outgoing).catch((error: unknown) => {
        if (!outgoing.headersSent) outgoing.writeHead(400, { 'content-type': 'text/plain' });
        outgoing.end(`${error instanceof Error ? error.message : String(error)}\n`);
      });
    } else if (incoming.method === 'GET' && path === '/') {
      outgoing.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
    } else if (incoming.method === 'GET' && path === '/host.js') {
      outgoing.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(script);
    } else {
      outgoing.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    relayed,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
