import { defaultCredentialFolder, FileCredentialStore } from '../../core/oauth/fileCredentialStore';
import type { Logger } from '../../core/logger';
import type { SignInHost } from '../../core/oauth/signInHost';
import { SIGN_IN_TIMEOUT_MS } from '../../core/oauth/proxyAuth';
import { withFileLock } from '../shared/fileLock';
import { userFiles } from '../../core/user/userFiles';
import { openInBrowser } from './browser';

/**
 * Sign-in for the CLI (stdio for Claude Desktop and the like, or HTTP): the
 * switchboard signs in by itself when a proxy needs it, as mcp-remote does.
 * The authorization URL goes to stderr every time, so it can be opened by
 * hand where no browser starts; tokens go to a user-only folder.
 */
export function cliSignInHost(logger: Logger, env: NodeJS.ProcessEnv = process.env): SignInHost {
  const folder = defaultCredentialFolder(env);
  return {
    store: new FileCredentialStore(folder),
    signsInByItself: true,
    signInAdvice: 'Change its entry or restart the switchboard to sign in.',
    openingAdvice: `The switchboard opened the sign-in page in your browser (its address is in the log); it waits ${SIGN_IN_TIMEOUT_MS / 60_000} minutes.`,
    retryAdvice: 'Change its entry or restart the switchboard to sign in again.',
    redirectUrlFor: async (loopbackUrl) => loopbackUrl,
    openBrowser: async (proxy, url) => {
      logger.warn(`Sign in to ${proxy}: open ${url.href}`, proxy);
      await openInBrowser(url.href, env).catch((error: unknown) => logger.warn(error instanceof Error ? error.message : String(error), proxy));
    },
    exclusive: (name, work) => withFileLock(userFiles(env).locks, name, work),
  };
}
