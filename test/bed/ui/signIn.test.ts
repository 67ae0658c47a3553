/**
 * Signing in to an OAuth-protected server in the real workbench: the proxy
 * waits in "needs sign-in" with its own icon and an inline Sign In button;
 * the button opens the authorization page in a new browser tab (VS Code's
 * openExternal), the test's OAuth server approves at once and sends the tab
 * to the switchboard's callback, and the proxy connects. Screenshots in
 * test-results/ui/sign-in/.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { startOAuthFixture } from '../../support/oauthFixture';
import { newWorkbenchPage } from '../browser';
import { REPO } from '../paths';
import { startSession, type BedSession } from '../session';
import { Teardown } from '../teardown';
import { teardown as runTeardown } from './bed';
import { moveMouseAway, numberedScreenshots } from './workbench';

const FIXTURE = join(REPO, 'out', 'fixtures', 'oauth-server.js');

describe('Signing in from the Proxies view, clicked through', function () {
  const teardown = new Teardown();
  let bed: BedSession;
  let page: Page;

  const screenshot = numberedScreenshots(() => page, () => bed.results);
  const sideBar = () => page.locator('.part.sidebar');
  const row = (label: RegExp): Locator => sideBar().locator('[role="treeitem"][aria-level="1"]').filter({ hasText: label });
  const descriptionOf = async (item: Locator) => (await item.locator('.label-description').first().innerText()).trim();

  before(async function () {
    this.timeout(30 * 60_000);
    runTeardown.add('stopping the bed of signIn.test.ts', () => teardown.run());
    const fixture = await startOAuthFixture(process.execPath, FIXTURE);
    teardown.add('stopping the OAuth fixture', async () => void fixture.process.kill());
    const { url } = fixture;
    bed = await startSession(teardown, {
      name: join('ui', 'sign-in'),
      prepare: async (profile) => {
        mkdirSync(join(profile.workspace, '.vscode'), { recursive: true });
        const settings = { 'mcpSwitchboard.proxies': { guarded: { url } } };
        writeFileSync(join(profile.workspace, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
      },
    });
    page = await newWorkbenchPage(bed.browser);
    await page.goto(`${bed.server.origin}/?folder=${encodeURIComponent(bed.profile.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.part.activitybar a.action-label[aria-label^="MCP Switchboard"]').click({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (page && this.currentTest?.state === 'failed') await screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await teardown.run();
  });

  it('shows a proxy that waits for sign-in with its own icon, and counts it in the status bar', async () => {
    const guarded = row(/^guarded/).filter({ hasText: /needs sign-in/ });
    await guarded.waitFor({ timeout: 60_000 });
    assert.match(await descriptionOf(guarded), /^http · needs sign-in · workspace$/);
    assert.equal(await guarded.locator('.codicon-account').count(), 1, 'the account icon');
    const status = page.locator('.statusbar-item').filter({ hasText: /connected ·/ });
    assert.match((await status.getAttribute('aria-label')) ?? '', /waiting for you to sign in: guarded/);
    await moveMouseAway(page);
    await screenshot('needs-sign-in', sideBar());
    await screenshot('needs-sign-in-window');
  });

  it('signs in from the row’s Sign In button through a browser tab, and connects', async () => {
    const guarded = row(/^guarded/);
    await guarded.hover();
    const tab = page.context().waitForEvent('page', { timeout: 30_000 });
    await guarded.locator('a.action-label[aria-label="Sign In"]').click();
    const signInTab = await tab;
    await signInTab.getByText(/The switchboard received the sign-in to guarded/).waitFor({ timeout: 30_000 });
    await signInTab.screenshot({ path: join(bed.results, 'signed-in-tab.png') });
    await signInTab.close();
    const connected = row(/^guarded/).filter({ hasText: /2 tools/ });
    await connected.waitFor({ timeout: 30_000 });
    await moveMouseAway(page);
    await screenshot('signed-in', sideBar());
  });
});
