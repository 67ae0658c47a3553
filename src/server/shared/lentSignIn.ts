import type { CredentialKey, CredentialStore, StoredCredentials } from '../../core/oauth/credentials';
import type { SignInHost } from '../../core/oauth/signInHost';
import { userFiles } from '../../core/user/userFiles';
import { VS_CODE_RETRY_ADVICE, VS_CODE_SIGN_IN_ADVICE } from '../window/ipcSignInHost';
import { withFileLock } from './fileLock';

/** A sign-in host of a window attached now, if any. */
export type AttachedSignIn = () => SignInHost | undefined;

const NO_WINDOW = 'No VS Code window is attached to the switchboard: its sign-ins are kept in VS Code, so sign in from the MCP Switchboard view there.';

/**
 * Sign-in for the proxies of VS Code's settings that the user's switchboard
 * serves its `connect` clients: their tokens are VS Code's, in its
 * SecretStorage, so they are read and written through a window attached
 * (as `${secret:…}` values are), and the window's Sign In signs them in.
 * Nothing opens a browser by itself. With no window attached, such a proxy
 * waits for one, saying so. The backend is then the windows' own: one
 * connection and one sign-in for every window and every client.
 */
export function lentSignInHost(attached: AttachedSignIn): SignInHost {
  const window = (): SignInHost => {
    const host = attached();
    if (!host) throw new Error(NO_WINDOW);
    return host;
  };
  const store: CredentialStore = {
    // Without a window there is nothing to read: the proxy then needs sign-in, and says where.
    read: async (key: CredentialKey): Promise<StoredCredentials | undefined> => await attached()?.store.read(key),
    write: async (key, credentials) => await window().store.write(key, credentials),
    forget: async (proxy, serverUrl) => await window().store.forget(proxy, serverUrl),
  };
  return {
    store,
    signsInByItself: false,
    // The same words as a window's own: a backend the windows share says one thing, whichever view holds it first.
    signInAdvice: VS_CODE_SIGN_IN_ADVICE,
    openingAdvice: VS_CODE_SIGN_IN_ADVICE,
    retryAdvice: VS_CODE_RETRY_ADVICE,
    redirectUrlFor: async (loopbackUrl) => await window().redirectUrlFor(loopbackUrl),
    openBrowser: async (proxy, url) => await window().openBrowser(proxy, url),
    exclusive: (name, work) => withFileLock(userFiles().locks, name, work),
  };
}
