import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The path of the redirect URL the switchboard registers. */
const CALLBACK_PATH = '/callback';

/** What the authorization server sent back to the redirect URL. */
export interface CallbackParameters {
  readonly code: string;
  /** RFC 9207: the issuer that answered, when it says. */
  readonly iss: string | undefined;
}

/**
 * The loopback end of a sign-in (RFC 8252): a one-shot HTTP listener on
 * 127.0.0.1 that waits for the browser to arrive at the redirect URL with
 * the expected `state`. A request with another state is refused and the wait
 * goes on, so a stray or forged link cannot end a sign-in.
 */
export class CallbackListener {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1:`port` (0: any free port). Rejects with the listen error (EADDRINUSE…) when it cannot. */
  static async open(port: number): Promise<CallbackListener> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new CallbackListener(server, (server.address() as AddressInfo).port);
  }

  /** The redirect URL as seen from this machine. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${CALLBACK_PATH}`;
  }

  /**
   * Resolves with the code of the first redirect that carries `state`; rejects
   * when the server sends an error instead, or when `signal` aborts.
   */
  wait(state: string, proxy: string, signal: AbortSignal): Promise<CallbackParameters> {
    return new Promise<CallbackParameters>((resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        if (url.pathname !== CALLBACK_PATH) return answer(response, 404, 'Not found', 'This address only takes the sign-in redirect.');
        if (url.searchParams.get('state') !== state) {
          return answer(response, 400, 'Sign-in refused', 'This link does not belong to the sign-in the switchboard is waiting for. Start the sign-in again.');
        }
        signal.removeEventListener('abort', onAbort);
        const error = url.searchParams.get('error');
        if (error !== null) {
          const description = url.searchParams.get('error_description');
          answer(response, 400, 'Sign-in failed', `The authorization server said: ${error}${description ? ` (${description})` : ''}.`);
          return reject(new Error(`The authorization server refused the sign-in: ${error}${description ? ` (${description})` : ''}.`));
        }
        const code = url.searchParams.get('code');
        if (!code) {
          answer(response, 400, 'Sign-in failed', 'The redirect carried no authorization code.');
          return reject(new Error('The authorization server redirected back without an authorization code.'));
        }
        answer(response, 200, 'Sign-in received', `The switchboard received the sign-in to ${proxy} and finishes it now. You can close this tab.`);
        resolve({ code, iss: url.searchParams.get('iss') ?? undefined });
      });
    });
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

function answer(response: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><body style="font-family:system-ui;margin:3em"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`;
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
  response.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
