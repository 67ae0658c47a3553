import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { failureText } from '../errors';
import { type AuthRequestRecord, authUrlProblem } from './authFetch';
import { CallbackListener } from './callbackListener';
import type { ProxyOAuthProvider } from './proxyOAuthProvider';
import type { SignInHost } from './signInHost';

/** What one interactive sign-in works with. */
export interface SignInFlowContext {
  readonly proxy: string;
  readonly provider: ProxyOAuthProvider;
  readonly host: SignInHost;
  /** The options every auth() call of this proxy gets (server, challenge, guarded fetch). */
  readonly authOptions: Parameters<typeof auth>[1];
  readonly loopbackAllowed: boolean;
  /** The OAuth request made last, for the failure message. */
  readonly lastRequest: () => AuthRequestRecord | undefined;
}

/**
 * One interactive sign-in: the loopback callback listening, the
 * authorization URL (checked before the browser sees it) opened, the
 * redirect's `state` and `iss` checked, the code exchanged. Rejects with one
 * sentence, "Signing in to NAME failed: …", naming the step that failed.
 */
export async function runSignInFlow(context: SignInFlowContext, signal: AbortSignal): Promise<void> {
  const { proxy, provider, host, authOptions } = context;
  const listener = await openListener(provider);
  try {
    const state = await provider.beginFlow(await host.redirectUrlFor(listener.url), listener.port);
    if ((await auth(provider, authOptions)) === 'AUTHORIZED') return;
    const authorizationUrl = provider.authorizationUrl;
    if (!authorizationUrl) throw new Error('the sign-in did not produce an authorization URL.');
    // The browser opens whatever it is given (a file:, a custom scheme): only an https page, checked like every OAuth URL.
    const refused = authUrlProblem(authorizationUrl, context.loopbackAllowed, 'its sign-in page');
    if (refused) throw new Error(refused);
    const callback = listener.wait(state, proxy, signal);
    callback.catch(() => undefined); // Awaited below; a cancel while the browser opens must not be an unhandled rejection.
    await host.openBrowser(proxy, authorizationUrl);
    const { code, iss } = await callback;
    checkIssuer(provider, iss);
    const result = await auth(provider, { ...authOptions, authorizationCode: code });
    if (result !== 'AUTHORIZED') throw new Error('the authorization server did not accept the sign-in.');
  } catch (error) {
    throw new Error(`Signing in to ${proxy} failed: ${describeFailure(error, context.lastRequest())}`, { cause: error });
  } finally {
    listener.close();
    await provider.endFlow();
  }
}

/** The callback listener: on the entry's redirectPort, else on the port registered last (so the client stays valid), else any. */
async function openListener(provider: ProxyOAuthProvider): Promise<CallbackListener> {
  const fixed = provider.fixedRedirectPort;
  if (fixed !== undefined) {
    return await CallbackListener.open(fixed).catch((error: unknown) => {
      throw new Error(`The sign-in callback cannot listen on 127.0.0.1:${fixed} (${failureText(error)}): free that port or change oauth.redirectPort.`);
    });
  }
  const previous = provider.registeredCallbackPort;
  if (previous !== undefined) {
    const listener = await CallbackListener.open(previous).catch(() => undefined);
    if (listener) return listener;
  }
  return await CallbackListener.open(0);
}

/** RFC 9207: an `iss` in the redirect must be the issuer discovered; a server that promises one must send it. */
function checkIssuer(provider: ProxyOAuthProvider, iss: string | undefined): void {
  const metadata = provider.authorizationServerMetadata;
  const issuer = typeof metadata?.issuer === 'string' ? metadata.issuer : undefined;
  if (iss !== undefined && issuer !== undefined && iss !== issuer) {
    throw new Error(`the redirect came from issuer ${iss}, not from ${issuer}, the one signed in with (a possible mix-up attack), so it was refused`);
  }
  if (iss === undefined && metadata?.authorization_response_iss_parameter_supported === true) {
    throw new Error(`the redirect did not name its issuer although ${issuer ?? 'the authorization server'} says it always does, so it was refused`);
  }
}

/** The end of the failure's sentence: the SDK's OAuth errors say the server's words, others name the step. */
function describeFailure(error: unknown, last: AuthRequestRecord | undefined): string {
  const text = failureText(error).replace(/\s*Raw body:.*$/s, '');
  if (/Invalid OAuth error response/.test(text) && last) {
    return `${last.url.href} answered HTTP ${last.status ?? '?'}, not OAuth: check that the server's URL is right.`;
  }
  const code = (error as { errorCode?: unknown }).errorCode;
  const said = typeof code === 'string' && code !== '' ? `the authorization server said ${code}${text ? ` (${text})` : ''}` : text;
  return /[.!?]$/.test(said) ? said : `${said}.`;
}
