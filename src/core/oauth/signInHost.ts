import type { CredentialStore } from './credentials';

/**
 * What a sign-in needs from where the switchboard runs. The OAuth client runs
 * in the server process, next to the backend connection; the host brings the
 * user's browser and the place tokens are kept: the CLI itself ($BROWSER, a
 * user-only folder), or the VS Code extension over IPC (openExternal,
 * SecretStorage).
 */
export interface SignInHost {
  readonly store: CredentialStore;
  /**
   * Whether a proxy that needs sign-in opens the browser at once (the CLI, as
   * mcp-remote does) or waits for the user's Sign In (VS Code: nothing opens
   * without the user asking).
   */
  readonly signsInByItself: boolean;
  /** What a proxy that waits for the user's sign-in tells them to do, one sentence. */
  readonly signInAdvice: string;
  /** What it says while the host signs in by itself. */
  readonly openingAdvice: string;
  /** What it says after a sign-in failed. */
  readonly retryAdvice: string;
  /** The redirect URL to register for a callback listening at this loopback URL (VS Code maps it for remote windows). */
  redirectUrlFor(loopbackUrl: string): Promise<string>;
  /** Shows the user the authorization URL: opens their browser, and says it where they can copy it. */
  openBrowser(proxy: string, url: URL): Promise<void>;
  /**
   * Runs `work` while no other process of this user runs work of the same
   * name. Refresh tokens rotate: two processes (two VS Code windows, two
   * CLIs) refreshing the same sign-in at once would have one refused.
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
}
