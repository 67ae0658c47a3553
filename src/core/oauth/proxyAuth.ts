import { auth, discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { failureText } from '../errors';
import { connectionFetch } from '../guardedFetch';
import type { Logger } from '../logger';
import type { ProxyEntry } from '../registry/registry';
import { type AuthRequestRecord, guardedAuthFetch, isLoopbackUrl, isTokenSafeUrl } from './authFetch';
import { credentialId } from './credentials';
import { ProxyOAuthProvider, type OAuthSettings } from './proxyOAuthProvider';
import { NeedsSignInError } from './signInErrors';
import { runSignInFlow } from './signInFlow';
import type { SignInHost } from './signInHost';

/** How long a sign-in waits for the browser to come back. */
export const SIGN_IN_TIMEOUT_MS = 5 * 60_000;
/** A token that expires sooner than this (or than half its lifetime) is refreshed before a request, not after a 401. */
const REFRESH_AHEAD_MS = 60_000;

/** What the last 401 or 403 from the server asked for. */
interface Challenge {
  resourceMetadataUrl?: URL;
  scope?: string;
}

/**
 * OAuth for one `url` proxy: the fetch its transports use, which sends the
 * bearer token, refreshes it ahead of expiry and on 401, steps up on 403
 * `insufficient_scope`, and turns "a browser is needed" into a
 * NeedsSignInError; and, one at a time, the interactive sign-in
 * (signInFlow.ts). The protocol steps are the SDK's `auth()`.
 */
export class ProxyAuth {
  private readonly provider: ProxyOAuthProvider;
  private readonly loaded: Promise<void>;
  private challenge: Challenge = {};
  private signingIn: { promise: Promise<void>; abort: AbortController } | undefined;
  /** A scope the server still refused after a sign-in asked for it, with the token that got it: not asked for again. */
  private refusedStepUp: { scope: string; token: string | undefined } | undefined;
  private refreshing: Promise<void> | undefined;
  /** Whether the server publishes protected-resource metadata, once it did (a "no" is asked again at the next 401). */
  private publishesMetadata = false;
  private lastRequest: AuthRequestRecord | undefined;
  /** Why a request found the server wants a sign-in; kept for transports that hide the error (SSE) until taken. */
  private pendingSignIn: string | undefined;
  /** OAuth requests may go to this machine only for a proxy that is on it. */
  private readonly loopbackAllowed: boolean;
  private readonly authFetch: FetchLike;

  constructor(
    readonly proxy: string,
    readonly serverUrl: URL,
    readonly settings: OAuthSettings,
    private readonly host: SignInHost,
    private readonly logger: Logger,
    /** Told when the server wants a sign-in in the middle of a connection (a revoked token, more scope). */
    private readonly onNeedsSignIn: (reason: string) => void,
  ) {
    this.provider = new ProxyOAuthProvider({ proxy, serverUrl: serverUrl.href }, settings, host.store, 'MCP Switchboard');
    this.loopbackAllowed = isLoopbackUrl(serverUrl);
    this.authFetch = guardedAuthFetch(connectionFetch, this.loopbackAllowed, (record) => (this.lastRequest = record));
    this.loaded = this.provider.load().catch((error: unknown) => {
      // Unreadable credentials (a keyring that refused, a damaged record) mean signing in again, not a proxy stuck in error.
      logger.warn(`could not read its sign-in (${failureText(error)}); it will need a new one.`, proxy);
    });
  }

  /** Whether a sign-in is waiting for the browser now. */
  get isSigningIn(): boolean {
    return this.signingIn !== undefined;
  }

  /** Why the server asked for a sign-in since the last call, if it did (then cleared). */
  takeNeedsSignIn(): string | undefined {
    const reason = this.pendingSignIn;
    this.pendingSignIn = undefined;
    return reason;
  }

  /** The fetch the proxy's transports use. */
  readonly fetch: FetchLike = async (input, init) => {
    await this.loaded;
    if (!this.signingIn && this.provider.expiresSoon(REFRESH_AHEAD_MS) && this.provider.canRefresh) {
      await this.refresh().catch(() => undefined); // The request below then gets its 401 and says why.
    }
    let response = await this.send(input, init);
    if (response.status === 401 && (await this.asksForOAuth(response))) {
      this.remember(response, undefined);
      await response.body?.cancel();
      await this.afterUnauthorized();
      response = await this.send(input, init);
      if (response.status === 401) {
        await response.body?.cancel();
        throw this.needsSignIn('The server refused the token it was just given; sign in again.');
      }
    } else if (response.status === 403 && extractWWWAuthenticateParams(response).error === 'insufficient_scope') {
      // Asked for with what is held, so a step-up does not lose the permissions granted before.
      const scope = unionScopes(this.provider.grantedScope, extractWWWAuthenticateParams(response).scope);
      this.remember(response, scope);
      const refused = this.refusedStepUp;
      if (refused && refused.scope === (scope ?? '') && refused.token === this.provider.accessToken) return response; // Asked once already: the 403 stands.
      await response.body?.cancel();
      const more = `The server asks for more permissions (${scope ?? 'a wider scope'})`;
      if (!this.host.signsInByItself) throw this.needsSignIn(`${more}; sign in again to grant them.`);
      this.logger.info(`${more}; signing in again.`, this.proxy);
      await this.signIn(scope);
      response = await this.send(input, init);
      if (response.status === 403) this.refusedStepUp = { scope: scope ?? '', token: this.provider.accessToken };
    }
    return response;
  };

  /**
   * Signs in interactively (see signInFlow.ts). A second call while one runs
   * joins it. Rejects with one sentence when it fails, times out or is
   * cancelled; the tokens held before are then kept.
   */
  signIn(scope?: string): Promise<void> {
    if (this.signingIn) return this.signingIn.promise;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`Nobody finished signing in within ${SIGN_IN_TIMEOUT_MS / 60_000} minutes; sign in again when ready.`)), SIGN_IN_TIMEOUT_MS);
    timer.unref();
    const promise = this.runSignIn(scope ?? this.challenge.scope, abort.signal).finally(() => {
      clearTimeout(timer);
      this.signingIn = undefined;
    });
    this.signingIn = { promise, abort };
    return promise;
  }

  /** Cancels the sign-in in progress, if any, and waits for it to end. */
  async cancelSignIn(): Promise<void> {
    const running = this.signingIn;
    running?.abort.abort(new Error('The sign-in was cancelled.'));
    await running?.promise.catch(() => undefined);
  }

  /** Forgets the tokens and the client registration of this proxy. */
  async signOut(): Promise<void> {
    await this.cancelSignIn();
    await this.loaded;
    await this.provider.signOut();
  }

  private async runSignIn(scope: string | undefined, signal: AbortSignal): Promise<void> {
    await this.loaded;
    if (!isTokenSafeUrl(this.serverUrl)) {
      throw new Error(`${this.serverUrl.href} is not https: the switchboard signs in only to https servers (or to loopback).`);
    }
    await runSignInFlow(
      {
        proxy: this.proxy,
        provider: this.provider,
        host: this.host,
        authOptions: this.authOptions(scope),
        loopbackAllowed: this.loopbackAllowed,
        lastRequest: () => this.lastRequest,
      },
      signal,
    );
    this.refusedStepUp = undefined;
    this.pendingSignIn = undefined;
    this.logger.info('signed in.', this.proxy);
  }

  /**
   * Whether a 401 asks for OAuth: a Bearer challenge (RFC 6750), or, for a
   * server that sends none, protected-resource metadata (RFC 9728) at its
   * well-known place. A 401 for some other credential stays an error.
   */
  private async asksForOAuth(response: Response): Promise<boolean> {
    if (/^\s*bearer\b/i.test(response.headers.get('www-authenticate') ?? '')) return true;
    this.publishesMetadata ||= await discoverOAuthProtectedResourceMetadata(this.serverUrl, {}, this.authFetch).then(
      () => true,
      () => false,
    );
    return this.publishesMetadata;
  }

  /** After a 401: wait for a sign-in in progress, or refresh if that can work; else the user has to sign in. */
  private async afterUnauthorized(): Promise<void> {
    if (!isTokenSafeUrl(this.serverUrl)) {
      throw new Error(`${this.serverUrl.href} asks for OAuth sign-in, but it is not https: the switchboard sends tokens only over https (or to loopback).`);
    }
    if (this.signingIn) return await this.signingIn.promise;
    if (!this.provider.canRefresh) throw this.needsSignIn(this.provider.hasTokens ? 'The sign-in expired; sign in again.' : 'The server asks you to sign in.');
    try {
      await this.refresh();
    } catch (error) {
      if (error instanceof NeedsSignInError) throw this.needsSignIn(error.message);
      throw error;
    }
  }

  /** Refreshes the tokens; requests that need it at the same time share one refresh (refresh tokens rotate: a second would be refused). */
  private refresh(): Promise<void> {
    if (this.signingIn) return this.signingIn.promise; // The sign-in brings new tokens; a refresh now would break its PKCE.
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private refreshOnce(): Promise<void> {
    // One process at a time refreshes a sign-in, and each first reads what is stored now.
    return this.host.exclusive(`refresh-${credentialId({ proxy: this.proxy, serverUrl: this.serverUrl.href })}`, () => this.refreshHeld());
  }

  private async refreshHeld(): Promise<void> {
    const held = this.provider.accessToken;
    await this.provider.load().catch(() => undefined);
    // Another process (another VS Code window, another CLI) refreshed it meanwhile: its tokens serve, and its refresh token is the only good one.
    if (this.provider.accessToken !== held && !this.provider.expiresSoon(REFRESH_AHEAD_MS)) return;
    let result: Awaited<ReturnType<typeof auth>>;
    try {
      result = await auth(this.provider, this.authOptions(this.challenge.scope));
    } catch (error) {
      if (!(error instanceof NeedsSignInError)) throw error;
      // The SDK goes on to a new sign-in after a refresh that failed for any reason; only the server's refusal means one is needed.
      const last = this.lastRequest;
      if (last && (last.status === undefined || last.status >= 500)) {
        throw new Error(`Could not refresh the sign-in: ${last.url.href} ${last.status === undefined ? 'did not answer' : `answered HTTP ${last.status}`}; trying again later.`);
      }
      throw new NeedsSignInError('The sign-in was revoked or expired; sign in again.');
    }
    if (result !== 'AUTHORIZED') throw new NeedsSignInError('The sign-in was revoked or expired; sign in again.');
  }

  /** What every auth() call gets: the server, what its last challenge pointed at, the guarded fetch. */
  private authOptions(scope: string | undefined): Parameters<typeof auth>[1] {
    const { resourceMetadataUrl } = this.challenge;
    return { serverUrl: this.serverUrl, fetchFn: this.authFetch, ...(resourceMetadataUrl && { resourceMetadataUrl }), ...(scope && { scope }) };
  }

  /** The error for "the user must sign in", told to the backend (and kept for a transport that hides it). */
  private needsSignIn(reason: string): NeedsSignInError {
    this.pendingSignIn = reason;
    this.onNeedsSignIn(reason);
    return new NeedsSignInError(reason);
  }

  private remember(response: Response, scope: string | undefined): void {
    const challenged = extractWWWAuthenticateParams(response);
    const wanted = scope ?? challenged.scope;
    this.challenge = { ...(challenged.resourceMetadataUrl && { resourceMetadataUrl: challenged.resourceMetadataUrl }), ...(wanted && { scope: wanted }) };
  }

  private async send(input: string | URL, init: RequestInit | undefined): Promise<Response> {
    const headers = new Headers(init?.headers);
    const token = this.provider.accessToken;
    if (token !== undefined && isTokenSafeUrl(this.serverUrl)) headers.set('authorization', `Bearer ${token}`);
    return await connectionFetch(input, { ...init, headers });
  }
}

/**
 * The OAuth of a url proxy after a (re)connect: the current one when the
 * server and settings are the same (tokens in memory carry over), a new one
 * when they changed, none when the proxy does not sign in: no host, a
 * command proxy, `oauth: false`, or an Authorization header of its own.
 */
export function authForEntry(
  current: ProxyAuth | undefined,
  proxy: string,
  entry: ProxyEntry,
  host: SignInHost | undefined,
  logger: Logger,
  onNeedsSignIn: (reason: string) => void,
): ProxyAuth | undefined {
  if (!host || entry.url === undefined || entry.oauth === false) return undefined;
  if (Object.keys(entry.headers ?? {}).some((name) => name.toLowerCase() === 'authorization')) return undefined;
  const settings = entry.oauth ?? {};
  const serverUrl = new URL(entry.url);
  if (current && current.serverUrl.href === serverUrl.href && JSON.stringify(current.settings) === JSON.stringify(settings)) return current;
  return new ProxyAuth(proxy, serverUrl, settings, host, logger, onNeedsSignIn);
}

/** The scopes held plus the ones asked for. */
function unionScopes(held: string | undefined, asked: string | undefined): string | undefined {
  const scopes = new Set([...(held?.split(' ') ?? []), ...(asked?.split(' ') ?? [])].filter(Boolean));
  return scopes.size > 0 ? [...scopes].join(' ') : undefined;
}
