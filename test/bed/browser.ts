/**
 * Debian's Chromium, headless, driven by playwright-core (which downloads no
 * browser of its own). It opens code-server's workbench like a person's browser.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Profile } from './codeServer';
import type { Tools } from './provision';
import type { Teardown } from './teardown';

/** Flags for a browser that runs as root in a container and must not reach the internet. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(tools: Tools, profile: Profile, teardown: Teardown): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    args: CHROMIUM_ARGS,
    headless: true,
    // Chromium's key store and caches go to the throwaway HOME too.
    env: profile.env,
    // The bed's own teardown closes the browser, in order with the rest.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  teardown.add('closing Chromium', () => browser.close());
  return browser;
}

/** A page the size of a laptop screen, so screenshots look like what a person sees. */
export async function newWorkbenchPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  return await context.newPage();
}
