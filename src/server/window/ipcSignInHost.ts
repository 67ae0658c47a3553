import type { HostRequest, ToExtensionMessage, ToServerMessage } from '../../core/ipc';
import { type CredentialKey, type CredentialStore, parseStoredCredentials, type StoredCredentials } from '../../core/oauth/credentials';
import type { SignInHost } from '../../core/oauth/signInHost';
import { withFileLock } from '../shared/fileLock';
import { userFiles } from '../../core/user/userFiles';

type HostResult = Extract<ToServerMessage, { type: 'hostResult' }>;

/** What a proxy that waits for a sign-in in VS Code says: the user signs in there, from its row or the palette. */
export const VS_CODE_SIGN_IN_ADVICE = 'Click Sign In on its row in the MCP Switchboard view in VS Code, or run "MCP Switchboard: Sign In".';
export const VS_CODE_RETRY_ADVICE = 'Sign in again from its row in the MCP Switchboard view in VS Code.';

/** How long the extension gets to answer one request (a SecretStorage read, opening the browser). */
const HOST_TIMEOUT_MS = 30_000;

/**
 * Sign-in for the server the VS Code extension forks: the OAuth client runs
 * here, next to the backend connection, and the extension brings the
 * browser (openExternal, asExternalUri for remote windows) and SecretStorage,
 * over IPC. Nothing signs in without the user's Sign In.
 */
export class IpcSignInHost implements SignInHost {
  readonly signsInByItself = false;
  readonly signInAdvice = VS_CODE_SIGN_IN_ADVICE;
  readonly openingAdvice = VS_CODE_SIGN_IN_ADVICE;
  readonly retryAdvice = VS_CODE_RETRY_ADVICE;
  readonly store: CredentialStore;
  private nextId = 1;
  private readonly waiting = new Map<number, (result: HostResult) => void>();

  constructor(private readonly send: (message: ToExtensionMessage) => void) {
    this.store = {
      read: async (key: CredentialKey): Promise<StoredCredentials | undefined> =>
        parseStoredCredentials(await this.request({ op: 'readCredentials', key: { ...key } }), key),
      write: async (key: CredentialKey, credentials: StoredCredentials) => void (await this.request({ op: 'writeCredentials', key: { ...key }, credentials })),
      forget: async (proxy: string, serverUrl?: string) =>
        void (await this.request({ op: 'forgetCredentials', proxy, ...(serverUrl !== undefined && { serverUrl }) })),
    };
  }

  async redirectUrlFor(loopbackUrl: string): Promise<string> {
    const value = await this.request({ op: 'redirectUrl', loopbackUrl });
    if (typeof value !== 'string') throw new Error('The extension did not say which redirect URL to use.');
    return value;
  }

  async openBrowser(proxy: string, url: URL): Promise<void> {
    // No time limit: VS Code may ask the user first whether to open the site; the sign-in's own 5 minutes apply.
    await this.request({ op: 'openBrowser', proxy, url: url.href }, undefined);
  }

  /** Another window's server is another process: the lock is a file in the user's runtime folder, which every window's server shares. */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    return withFileLock(userFiles().locks, name, work);
  }

  /** Completes the request a `hostResult` answers. */
  settle(result: HostResult): void {
    this.waiting.get(result.id)?.(result);
    this.waiting.delete(result.id);
  }

  /** Fails every request still waiting: the window that was asked went away. */
  abandon(reason: string): void {
    for (const [id, settle] of this.waiting) settle({ type: 'hostResult', id, ok: false, error: reason });
    this.waiting.clear();
  }

  private request(request: HostRequest, timeoutMs: number | undefined = HOST_TIMEOUT_MS): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiting.delete(id);
              reject(new Error(`VS Code did not answer the ${request.op} request within ${timeoutMs / 1000} s.`));
            }, timeoutMs);
      this.waiting.set(id, (result) => {
        clearTimeout(timer);
        if (result.ok) resolve(result.value);
        else reject(new Error(result.error ?? `${request.op} failed in VS Code.`));
      });
      this.send({ type: 'hostRequest', id, request });
    });
  }
}
