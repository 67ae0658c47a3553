import { auth, discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { failureText } from '../errors';
import type { Logger } from '../logger';
import type { ProxyEntry } from '../registry';
import { CallbackListener } from './callbackListener';
import { guardedAuthFetch, isLoopbackUrl } from './authFetch';
import { ProxyOAuthProvider, type OAuthSettings } from './proxyOAuthProvider';
import { NeedsSignInError } from './signInErrors';
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
 * OAuth for one `url` proxy: a fetch for its transports that sends the
 * bearer token, refreshes it ahead of expiry and on 401, steps up on 403
 * `insufficient_scope`, and turns "a browser is needed" into a
 * NeedsSignInError; and the interactive sign-in itself (one at a time). The
 * protocol steps are the SDK's `auth()`; this holds what is ours: when to
 * sign in, the loopback callback, `state` and `iss`.
 */
export class ProxyAuth {
  private readonly provider: ProxyOAuthProvider;
  private readonly loaded: Promise<void>;
  private challenge: Challenge = {};
  private signingIn: { promise: Promise<void>; abort: AbortController } | undefined;
  /** A scope the server still refused after a sign-in asked for it, with the token that got it: not asked for again. */
  private refusedStepUp: { scope: string; token: string | undefined } | undefined;
  private readonly authFetch: FetchLike;
  private refreshing: Promise<void> | undefined;
  /** The OAuth request made last and its status: a failure names the step that failed. */
  private lastAuthRequest: { url: URL; status: number | undefined } | undefined;
  /** Whether the server publishes protected-resource metadata, once looked up. */
  private publishesMetadata: Promise<boolean> | undefined;

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
    this.loaded = this.provider.load();
    this.authFetch = guardedAuthFetch(fetch, (url, response) => (this.lastAuthRequest = { url, status: response?.status }));
  }

  /** Whether this host signs in without waiting for the user's Sign In. */
  get signsInByItself(): boolean {
    return this.host.signsInByItself;
  }

  /** Whether a sign-in is waiting for the browser now. */
  get isSigningIn(): boolean {
    return this.signingIn !== undefined;
  }

  /** The fetch the proxy's transports use. */
  readonly fetch: FetchLike = async (input, init) => {
    await this.loaded;
    if (this.provider.expiresSoon(REFRESH_AHEAD_MS) && this.provider.canRefresh) {
      await this.refresh().catch(() => undefined); // The request below then gets its 401 and says why.
    }
    let response = await this.send(input, init);
    if (response.status === 401 && (await this.asksForOAuth(response))) {
      this.remember(response);
      await response.body?.cancel();
      await this.afterUnauthorized();
      response = await this.send(input, init);
      if (response.status === 401) {
        await response.body?.cancel();
        throw this.needsSignIn('The server refused the token it was just given; sign in again.');
      }
    } else if (response.status === 403 && extractWWWAuthenticateParams(response).error === 'insufficient_scope') {
      const scope = unionScopes(this.provider.grantedScope, extractWWWAuthenticateParams(response).scope);
      this.remember(response);
      const token = this.provider.accessToken;
      const refused = this.refusedStepUp;
      if (refused && refused.scope === (scope ?? '') && refused.token === token) return response; // Asked once already: the 403 stands.
      if (!this.host.signsInByItself) {
        await response.body?.cancel();
        throw this.needsSignIn(`The server asks for more permissions (${scope ?? 'a wider scope'}); sign in again to grant them.`);
      }
      await response.body?.cancel();
      this.logger.info(`asks for more permissions (${scope ?? 'a wider scope'}); signing in again.`, this.proxy);
      await this.signIn(scope);
      response = await this.send(input, init);
      if (response.status === 403) this.refusedStepUp = { scope: scope ?? '', token: this.provider.accessToken };
    }
    return response;
  };

  /**
   * Signs in interactively: the loopback callback, the browser, the code
   * exchanged for tokens. A second call while one runs joins it. Rejects with
   * one sentence when it fails, times out or is cancelled; the tokens held
   * before are then kept.
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

  /** Cancels the sign-in in progress, if any. */
  cancelSignIn(): void {
    this.signingIn?.abort.abort(new Error('The sign-in was cancelled.'));
  }

  /** Forgets the tokens and the client registration of this proxy. */
  async signOut(): Promise<void> {
    this.cancelSignIn();
    await this.loaded;
    await this.provider.signOut();
  }

  private async runSignIn(scope: string | undefined, signal: AbortSignal): Promise<void> {
    await this.loaded;
    if (!isTokenSafeUrl(this.serverUrl)) {
      throw new Error(`${this.serverUrl.href} is not https: the switchboard signs in only to https servers (or to loopback).`);
    }
    const listener = await this.openListener();
    try {
      const redirectUrl = await this.host.redirectUrlFor(listener.url);
      const state = await this.provider.beginFlow(redirectUrl);
      const options = this.authOptions(scope);
      if ((await auth(this.provider, options)) === 'AUTHORIZED') return;
      const authorizationUrl = this.provider.authorizationUrl;
      if (!authorizationUrl) throw new Error('The sign-in did not produce an authorization URL.');
      const callback = listener.wait(state, this.proxy, signal);
      await this.host.openBrowser(this.proxy, authorizationUrl);
      const { code, iss } = await callback;
      this.checkIssuer(iss);
      const result = await auth(this.provider, { ...options, authorizationCode: code });
      if (result !== 'AUTHORIZED') throw new Error('The authorization server did not accept the sign-in.');
      this.refusedStepUp = undefined;
      this.logger.info('signed in.', this.proxy);
    } catch (error) {
      throw new Error(`Signing in to ${this.proxy} failed: ${this.describeFailure(error)}`, { cause: error });
    } finally {
      listener.close();
      await this.provider.endFlow();
    }
  }

  /** What went wrong in a sign-in, as the end of one sentence: the SDK's OAuth errors say the server's words, others name the step. */
  private describeFailure(error: unknown): string {
    const last = this.lastAuthRequest;
    const text = failureText(error).replace(/\s*Raw body:.*$/s, '');
    if (/Invalid OAuth error response/.test(text) && last) {
      return `${last.url.href} answered HTTP ${last.status ?? '?'}, not OAuth: check that the server's URL is right.`;
    }
    const code = (error as { errorCode?: unknown }).errorCode;
    const said = typeof code === 'string' && code !== '' ? `the authorization server said ${code}${text ? ` (${text})` : ''}` : text;
    return /[.!?]$/.test(said) ? said : `${said}.`;
  }

  /** The callback listener: on the entry's redirectPort, else on the port registered last (so the client stays valid), else any. */
  private async openListener(): Promise<CallbackListener> {
    const fixed = this.provider.fixedRedirectPort;
    if (fixed !== undefined) {
      return await CallbackListener.open(fixed).catch((error: unknown) => {
        throw new Error(`The sign-in callback cannot listen on 127.0.0.1:${fixed} (${failureText(error)}): free that port or change oauth.redirectPort.`);
      });
    }
    const previous = this.provider.registeredRedirectPort;
    if (previous !== undefined) {
      const listener = await CallbackListener.open(previous).catch(() => undefined);
      if (listener) return listener;
    }
    return await CallbackListener.open(0);
  }

  /** RFC 9207: an `iss` in the redirect must be the issuer discovered; a server that promises one must send it. */
  private checkIssuer(iss: string | undefined): void {
    const metadata = this.provider.authorizationServerMetadata;
    const issuer = typeof metadata?.issuer === 'string' ? metadata.issuer : undefined;
    if (iss !== undefined && issuer !== undefined && iss !== issuer) {
      throw new Error(`the redirect came from issuer ${iss}, not from ${issuer}, the one signed in with (a possible mix-up attack), so it was refused`);
    }
    if (iss === undefined && metadata?.authorization_response_iss_parameter_supported === true) {
      throw new Error(`the redirect did not name its issuer although ${issuer ?? 'the authorization server'} says it always does, so it was refused`);
    }
  }

  /**
   * Whether a 401 asks for OAuth: a Bearer challenge (RFC 6750), or, for a
   * server that sends none, protected-resource metadata (RFC 9728) at its
   * well-known place. A 401 for some other credential stays an error.
   */
  private async asksForOAuth(response: Response): Promise<boolean> {
    if (/^\s*bearer\b/i.test(response.headers.get('www-authenticate') ?? '')) return true;
    this.publishesMetadata ??= discoverOAuthProtectedResourceMetadata(this.serverUrl, {}, this.authFetch).then(
      () => true,
      () => false,
    );
    return await this.publishesMetadata;
  }

  /** After a 401: refresh if that can work, else the user has to sign in. */
  private async afterUnauthorized(): Promise<void> {
    if (!isTokenSafeUrl(this.serverUrl)) {
      throw new Error(`${this.serverUrl.href} asks for OAuth sign-in, but it is not https: the switchboard sends tokens only over https (or to loopback).`);
    }
    if (this.signingIn) return await this.signingIn.promise; // The sign-in brings new tokens.
    if (!this.provider.canRefresh) throw this.needsSignIn(this.provider.hasTokens ? 'The sign-in expired; sign in again.' : 'The server asks you to sign in.');
    await this.refresh();
  }

  /** Refreshes the tokens; requests that need it at the same time share one refresh (refresh tokens rotate: a second would be refused). */
  private refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    try {
      await auth(this.provider, this.authOptions(this.challenge.scope));
    } catch (error) {
      if (error instanceof NeedsSignInError) throw this.needsSignIn('The sign-in was revoked or expired; sign in again.');
      throw error;
    }
  }

  /** What every auth() call gets: the server, what its last challenge pointed at, the guarded fetch. */
  private authOptions(scope: string | undefined): Parameters<typeof auth>[1] {
    const { resourceMetadataUrl } = this.challenge;
    return { serverUrl: this.serverUrl, fetchFn: this.authFetch, ...(resourceMetadataUrl && { resourceMetadataUrl }), ...(scope && { scope }) };
  }

  private needsSignIn(reason: string): NeedsSignInError {
    this.onNeedsSignIn(reason);
    return new NeedsSignInError(reason);
  }

  private remember(response: Response): void {
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    this.challenge = { ...(resourceMetadataUrl && { resourceMetadataUrl }), ...(scope && { scope }) };
  }

  private async send(input: string | URL, init: RequestInit | undefined): Promise<Response> {
    const headers = new Headers(init?.headers);
    const token = this.provider.accessToken;
    if (token !== undefined && isTokenSafeUrl(this.serverUrl)) headers.set('authorization', `Bearer ${token}`);
    return await fetch(input, { ...init, headers });
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

/** Tokens go only over https, or to this machine. */
function isTokenSafeUrl(url: URL): boolean {
  return url.protocol === 'https:' || isLoopbackUrl(url);
}

/** The scopes held plus the ones asked for (so a step-up does not lose what was granted before). */
function unionScopes(held: string | undefined, asked: string | undefined): string | undefined {
  const scopes = new Set([...(held?.split(' ') ?? []), ...(asked?.split(' ') ?? [])].filter(Boolean));
  return scopes.size > 0 ? [...scopes].join(' ') : undefined;
}
