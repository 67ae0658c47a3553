import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { OAuthEntry } from '../registry/registry';
import type { CredentialKey, CredentialStore, StoredCredentials } from './credentials';
import { NeedsSignInError } from './signInErrors';

/** The entry's `oauth` settings with variables expanded, or none. */
export type OAuthSettings = Exclude<OAuthEntry, false>;

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The redirect URL reported before any sign-in chose one; the SDK needs some URL to know the flow is interactive. */
const PLACEHOLDER_REDIRECT = 'http://127.0.0.1/callback';

/** What one interactive sign-in has in progress. */
interface Flow {
  readonly redirectUrl: string;
  readonly callbackPort: number;
  readonly state: string;
  /** The tokens held before it began: back in place when it fails, so a cancelled sign-in loses nothing. */
  readonly previousTokens: StoredCredentials['tokens'];
  codeVerifier?: string;
  authorizationUrl?: URL;
}

/**
 * The SDK's OAuthClientProvider for one proxy: credentials from a
 * CredentialStore, kept as the SDK hands them over, and a browser step that
 * only happens inside a sign-in the switchboard started (`beginFlow`).
 * Outside one, the SDK's call for a browser becomes a NeedsSignInError.
 */
export class ProxyOAuthProvider implements OAuthClientProvider {
  private record: StoredCredentials;
  private flow: Flow | undefined;
  /** Writes in order, so the last state is the one on disk. */
  private saving: Promise<void> = Promise.resolve();
  /** A Client ID Metadata Document URL from the entry, used as client id where the server supports that. */
  readonly clientMetadataUrl?: string;

  constructor(
    private readonly key: CredentialKey,
    private readonly settings: OAuthSettings,
    private readonly store: CredentialStore,
    private readonly clientName: string,
  ) {
    this.record = { serverUrl: key.serverUrl };
    if (settings.clientMetadataUrl !== undefined) this.clientMetadataUrl = settings.clientMetadataUrl;
  }

  /** Reads what the store holds for this proxy and server (again: another process may have refreshed the tokens). */
  async load(): Promise<void> {
    await this.saving;
    this.record = (await this.store.read(this.key)) ?? { serverUrl: this.key.serverUrl };
  }

  get redirectUrl(): string {
    return this.flow?.redirectUrl ?? this.record.redirectUrl ?? PLACEHOLDER_REDIRECT;
  }

  get clientMetadata(): OAuthClientMetadata & { application_type: 'native' } {
    return {
      client_name: this.clientName,
      // SEP-837: a program on the user's machine with a loopback redirect is a native application (RFC 8252);
      // the SDK's type lacks the field, and passes the metadata to registration as it is.
      application_type: 'native',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...(this.settings.scopes?.length && { scope: this.settings.scopes.join(' ') }),
    };
  }

  /** Whether the client was registered by the switchboard (dynamically), so a new redirect URL needs a new registration. */
  get registeredDynamically(): boolean {
    return this.settings.clientId === undefined && this.settings.clientMetadataUrl === undefined;
  }

  state(): string {
    return this.flow?.state ?? randomBytes(16).toString('base64url');
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    if (this.settings.clientId !== undefined) {
      return { client_id: this.settings.clientId, ...(this.settings.clientSecret !== undefined && { client_secret: this.settings.clientSecret }) };
    }
    return this.record.client as OAuthClientInformationMixed | undefined;
  }

  async saveClientInformation(information: OAuthClientInformationMixed): Promise<void> {
    // A pre-registered client comes from the entry each time; only what the server issued is kept.
    if (this.settings.clientId !== undefined) return;
    await this.save({ ...this.record, client: { ...information }, redirectUrl: this.redirectUrl, ...(this.flow && { callbackPort: this.flow.callbackPort }) });
  }

  tokens(): OAuthTokens | undefined {
    if (this.flow) return undefined; // A sign-in asks for new tokens; the old ones wait in the flow.
    const stored = this.record.tokens;
    if (!stored) return undefined;
    const { obtainedAt: _obtainedAt, ...tokens } = stored;
    return tokens as OAuthTokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    await this.save({ ...this.record, tokens: { ...tokens, obtainedAt: Date.now() } });
  }

  /** Whether the access token expires within `aheadMs`, or within half its lifetime for short-lived ones; false when the server did not say. */
  expiresSoon(aheadMs: number, now = Date.now()): boolean {
    const stored = this.record.tokens;
    if (!stored || stored.expires_in === undefined || stored.obtainedAt === undefined) return false;
    const lifetime = stored.expires_in * 1000;
    return stored.obtainedAt + lifetime - now < Math.min(aheadMs, lifetime / 2);
  }

  /** The access token to send now: during a sign-in, the one held until the new one arrives. */
  get accessToken(): string | undefined {
    return this.record.tokens?.access_token;
  }

  /** The callback port the entry fixes (a client registered with that redirect URL), if any. */
  get fixedRedirectPort(): number | undefined {
    return this.settings.redirectPort;
  }

  /** The loopback port the callback listened on when the client was registered, to listen on again so the registration stays valid. */
  get registeredCallbackPort(): number | undefined {
    return this.record.client ? this.record.callbackPort : undefined;
  }

  /** Whether there are tokens at all. */
  get hasTokens(): boolean {
    return this.record.tokens !== undefined;
  }

  /** Whether they come with a refresh token. */
  get canRefresh(): boolean {
    return typeof this.record.tokens?.['refresh_token'] === 'string';
  }
  /** The scope the current tokens were granted, if the server said. */
  get grantedScope(): string | undefined {
    const scope = this.record.tokens?.['scope'];
    return typeof scope === 'string' ? scope : undefined;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    if (!this.flow) throw new NeedsSignInError('The server asks you to sign in.');
    this.flow.authorizationUrl = authorizationUrl;
  }

  saveCodeVerifier(codeVerifier: string): void {
    if (this.flow) this.flow.codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    const verifier = this.flow?.codeVerifier;
    if (verifier === undefined) throw new Error('No sign-in is in progress (no PKCE code verifier).');
    return verifier;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier') {
      if (this.flow) delete this.flow.codeVerifier;
      return;
    }
    const { client, tokens, discovery, ...rest } = this.record;
    await this.save({
      ...rest,
      ...(scope !== 'all' && scope !== 'client' && client && { client }),
      ...(scope !== 'all' && scope !== 'tokens' && tokens && { tokens }),
      ...(scope !== 'all' && scope !== 'discovery' && discovery && { discovery }),
    });
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    // RFC 8414 §3.3: metadata whose issuer is not the server it was fetched for is not that server's; its endpoints are not used.
    const issuer = state.authorizationServerMetadata?.issuer;
    if (issuer !== undefined && withoutTrailingSlash(issuer) !== withoutTrailingSlash(state.authorizationServerUrl)) {
      throw new Error(`the authorization server ${state.authorizationServerUrl} serves metadata for another issuer (${issuer}), so it was not used`);
    }
    // A pre-registered client's secret belongs to one authorization server: a server that names another gets none.
    const bound = this.record.boundIssuer;
    if (this.settings.clientId !== undefined && bound !== undefined && bound !== state.authorizationServerUrl) {
      throw new Error(
        `the server now names ${state.authorizationServerUrl} as its authorization server, not ${bound}, where its pre-registered client belongs; the client secret is not sent there. Check the server, then sign out to start over`,
      );
    }
    await this.save({
      ...this.record,
      discovery: { ...state },
      ...(this.settings.clientId !== undefined && { boundIssuer: state.authorizationServerUrl }),
    });
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.record.discovery as OAuthDiscoveryState | undefined;
  }

  /** The authorization server's metadata as discovered, for the checks the SDK leaves to us (`iss`). */
  get authorizationServerMetadata(): { issuer?: unknown; authorization_response_iss_parameter_supported?: unknown } | undefined {
    return this.discoveryState()?.authorizationServerMetadata;
  }

  /**
   * Starts an interactive sign-in that will redirect to `redirectUrl`. A
   * dynamically registered client is bound to its redirect URL, so a new one
   * (another port) means registering again.
   */
  async beginFlow(redirectUrl: string, callbackPort: number): Promise<string> {
    if (this.registeredDynamically && this.record.client && this.record.redirectUrl !== redirectUrl) {
      await this.invalidateCredentials('client');
    }
    const state = randomBytes(16).toString('base64url');
    this.flow = { redirectUrl, callbackPort, state, previousTokens: this.record.tokens };
    return state;
  }

  /** The authorization URL the SDK built in this flow, once it did. */
  get authorizationUrl(): URL | undefined {
    return this.flow?.authorizationUrl;
  }

  /** Ends the sign-in; one that did not get new tokens puts the old ones back. */
  async endFlow(): Promise<void> {
    const previous = this.flow?.previousTokens;
    this.flow = undefined;
    if (previous && this.record.tokens === undefined) await this.save({ ...this.record, tokens: previous });
  }

  /** Forgets everything of this proxy, in memory and in the store. */
  async signOut(): Promise<void> {
    this.record = { serverUrl: this.key.serverUrl };
    await this.settle();
    await this.store.forget(this.key.proxy, this.key.serverUrl);
  }

  /** Waits for the writes in progress. */
  async settle(): Promise<void> {
    await this.saving;
  }

  private async save(record: StoredCredentials): Promise<void> {
    this.record = record;
    const write = this.saving.then(() => this.store.write(this.key, record));
    this.saving = write.catch(() => undefined);
    await write;
  }
}
