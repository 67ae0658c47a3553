import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser, as command-line tools do: the program
 * named in `$BROWSER` (the first of a `:`-separated list; `%s` stands for the
 * URL, else it comes last), else the platform's opener. The URL is always one
 * argument of its own, never passed through a shell. Resolves once the
 * program started; it is not waited for.
 */
export async function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // An opener starts whatever handles a scheme (file:, custom protocols): web pages only.
  if (!/^https?:\/\//i.test(url)) throw new Error(`Not opening ${url.slice(0, 100)}: only http and https pages are opened.`);
  const [command, ...args] = browserCommand(url, env);
  if (command === undefined) throw new Error('No program to open a browser with: set $BROWSER.');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.once('error', (error) => reject(new Error(`Could not run ${command} to open the browser (${error.message}); open the URL yourself.`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** The command line that opens `url`: from $BROWSER when set, else the platform's opener. */
export function browserCommand(url: string, env: NodeJS.ProcessEnv): string[] {
  const configured = env['BROWSER']?.split(':').find((candidate) => candidate.trim() !== '');
  if (configured !== undefined) {
    const words = configured.trim().split(/\s+/);
    return words.some((word) => word.includes('%s')) ? words.map((word) => word.replaceAll('%s', url)) : [...words, url];
  }
  switch (process.platform) {
    case 'darwin':
      return ['open', url];
    case 'win32':
      // rundll32 takes the URL as one argument; `start` would need a shell, which reads & and ^ in URLs.
      return ['rundll32', 'url.dll,FileProtocolHandler', url];
    default:
      return ['xdg-open', url];
  }
}
