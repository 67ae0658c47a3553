/**
 * Debian's Chromium, headless, driven by playwright-core (which downloads no
 * browser of its own). It opens code-server's workbench like a person's browser.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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

/**
 * A browser profile whose pages are the size of a laptop screen, so
 * screenshots look like what a person sees; its pages may read the clipboard
 * (what Copy Connection Config wrote), as a person pastes it.
 */
export async function newWorkbenchContext(browser: Browser): Promise<BrowserContext> {
  return await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, permissions: ['clipboard-read', 'clipboard-write'] });
}

/** A page in a browser profile of its own (newWorkbenchContext). */
export async function newWorkbenchPage(browser: Browser): Promise<Page> {
  return await (await newWorkbenchContext(browser)).newPage();
}
