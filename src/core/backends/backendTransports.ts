import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { connectionFetch } from '../guardedFetch';
import { MAX_LINE_BYTES } from '../jsonLines';
import type { Logger } from '../logger';
import type { ProxyAuth } from '../oauth/proxyAuth';
import { type ProxyEntry, type TransportKind, transportOf } from '../registry/registry';
import { stdioParameters } from './backendProcess';
import type { BurstLog } from './burstLog';
import type { EarlyStarts } from './earlyStarts';
import { ProcessGroupStdioTransport } from './stdioClientTransport';

/** Time a backend gets to start and answer `initialize`. */
const CONNECT_TIMEOUT_MS = 30_000;

export interface ConnectOptions {
  readonly name: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** OAuth for a url proxy: its fetch sends the tokens. */
  readonly auth: ProxyAuth | undefined;
  readonly earlyStarts: EarlyStarts | undefined;
  /** Protocol trouble on stdout, at warn once per burst. */
  readonly trouble: BurstLog;
  readonly newClient: () => Client;
  /** Told of each client while it connects (`true`) and once that is over (`false`), so a stop meanwhile can close it, process and all. */
  readonly track: (client: Client, connecting: boolean) => void;
}

/**
 * Opens a connection to a backend by the transport its entry names; a url
 * without one tries Streamable HTTP, then the SSE transport where the server
 * refuses it, as the SDK documents. Resolves with the client and the
 * transport it connected over.
 */
export async function connectBackend(entry: ProxyEntry, options: ConnectOptions): Promise<{ client: Client; transport: TransportKind }> {
  const connectOnce = async (transport: Transport): Promise<Client> => {
    const client = options.newClient();
    options.track(client, true);
    try {
      await client.connect(transport, { timeout: Math.min(options.timeoutMs, CONNECT_TIMEOUT_MS) });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    } finally {
      options.track(client, false);
    }
    return client;
  };
  const kind = transportOf(entry);
  if (kind === 'stdio') return { client: await connectOnce(stdioTransport(entry, options)), transport: 'stdio' };
  const url = new URL(entry.url ?? '');
  const requestInit = { headers: entry.headers ?? {} };
  const transportOptions = { requestInit, fetch: options.auth?.fetch ?? connectionFetch };
  if (kind === 'sse') return { client: await connectOnce(new SSEClientTransport(url, transportOptions)), transport: 'sse' };
  try {
    return { client: await connectOnce(new StreamableHTTPClientTransport(url, transportOptions)), transport: 'http' };
  } catch (error) {
    // A legacy server answers the Streamable HTTP handshake with a 4xx.
    const refused = error instanceof StreamableHTTPError && (error.code ?? 0) >= 400 && (error.code ?? 0) < 500;
    if (entry.transport !== undefined || !refused) throw error;
    options.logger.info(`${url.href} refused Streamable HTTP (${error.code}); trying the SSE transport.`, options.name);
    return { client: await connectOnce(new SSEClientTransport(url, transportOptions)), transport: 'sse' };
  }
}

function stdioTransport(entry: ProxyEntry, { name, logger, trouble, earlyStarts }: ConnectOptions): ProcessGroupStdioTransport {
  // A safe default environment plus the entry's own: the switchboard's secrets and token never reach backends.
  const parameters = stdioParameters(entry);
  return new ProcessGroupStdioTransport(
    parameters,
    {
      onStderrLine: (line) => logger.info(line, name),
      onGarbageLine: (line) => logger.warn(`printed a non-MCP line on stdout (ignored): ${line.slice(0, 200)}`, name),
      onOversizedLine: () => trouble.report('oversized', `sent a line of more than ${MAX_LINE_BYTES} bytes on stdout (the limit); it was dropped.`),
    },
    earlyStarts?.take(parameters),
  );
}
