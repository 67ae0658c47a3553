/**
 * The tool surface in the real workbench: a proxy with a pinned tool and an
 * override it cannot apply, two profiles, and search mode, all from
 * settings.json. The tree shows the pin, the problem and the profiles; the
 * copy icon on a profile's row copies that profile's config. Screenshots in
 * test-results/ui/tool-surface/.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { newWorkbenchPage } from '../browser';
import { REPO } from '../paths';
import { startSession, type BedSession } from '../session';
import { Teardown } from '../teardown';
import { teardown as runTeardown } from './bed';
import { expandTreeItem, hoverUntilTooltip, moveMouseAway, numberedScreenshots, showNotification } from './workbench';

const EVERYTHING = join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

describe('The tool surface in the Proxies view, clicked through', function () {
  const teardown = new Teardown();
  let bed: BedSession;
  let page: Page;

  const screenshot = numberedScreenshots(() => page, () => bed.results);
  const moveAway = () => moveMouseAway(page);
  const showTooltip = (row: Locator, text: string) => hoverUntilTooltip(page, row, text);
  const expand = (row: Locator) => expandTreeItem(page, row);

  const sideBar = () => page.locator('.part.sidebar');
  const quickInput = () => page.locator('.quick-input-widget');
  const quickInputOption = (text: string | RegExp) => quickInput().locator('[role="option"]').filter({ hasText: text });
  const row = (level: number, label: RegExp) => sideBar().locator(`[role="treeitem"][aria-level="${level}"]`).filter({ hasText: label });
  const descriptionOf = async (item: Locator) => (await item.locator('.label-description').first().innerText()).trim();

  before(async function () {
    this.timeout(30 * 60_000);
    runTeardown.add('stopping the bed of toolSurface.test.ts', () => teardown.run());
    bed = await startSession(teardown, {
      name: join('ui', 'tool-surface'),
      prepare: async (profile) => {
        mkdirSync(join(profile.workspace, '.vscode'), { recursive: true });
        const settings = {
          'mcpSwitchboard.toolSurface': 'search',
          'mcpSwitchboard.proxies': {
            everything: {
              command: 'node',
              args: [EVERYTHING, 'stdio'],
              tools: { pin: ['echo', 'get-sum'], overrides: { 'get-weather': { description: 'Not a tool of this server.' } } },
            },
          },
          'mcpSwitchboard.profiles': { review: { include: ['everything_echo', 'everything_get-sum'] }, finder: { surface: 'search' } },
        };
        writeFileSync(join(profile.workspace, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
      },
    });
    page = await newWorkbenchPage(bed.browser);
    await page.goto(`${bed.server.origin}/?folder=${encodeURIComponent(bed.profile.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.part.activitybar a.action-label[aria-label^="MCP Switchboard"]').click({ timeout: 60_000 });
    await row(1, /^everything/).filter({ hasText: /\d+ tools/ }).waitFor({ timeout: 60_000 });
    // Wider, so that descriptions are not cut.
    const box = await sideBar().boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width + 300, box.y + box.height / 2, { steps: 10 });
      await page.mouse.up();
    }
    await moveAway();
  });

  afterEach(async function () {
    if (page && this.currentTest?.state === 'failed') await screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
    await page?.keyboard.press('Escape');
  });

  after(async () => {
    await teardown.run();
  });

  it('says in the status bar that clients find the tools by search', async () => {
    const status = page.locator('.statusbar-item').filter({ hasText: /connected ·/ });
    assert.match(await status.innerText(), /1\/1 connected · \d+ tools · search/);
  });

  it('marks the pinned tools with a pin, says the override problem on the row, and lists the profiles', async () => {
    const proxy = row(1, /^everything/);
    assert.match(await descriptionOf(proxy), /^stdio · \d+ tools · problem: tools\.overrides has "get-weather"/);
    await expand(proxy);
    const tools = row(2, /^Tools/);
    await expand(tools);
    const echo = row(3, /^echo/);
    await echo.waitFor();
    assert.equal(await descriptionOf(echo), 'pinned · everything_echo');
    assert.equal(await echo.locator('.codicon-pinned').count(), 1, 'echo has a pin');
    assert.equal(await row(3, /^get-env/).locator('.codicon-pinned').count(), 0, 'an unpinned tool has none');

    const profiles = row(1, /^Profiles/);
    await expand(profiles);
    assert.equal(await descriptionOf(row(2, /^review/)), 'search · /mcp/review');
    assert.equal(await descriptionOf(row(2, /^finder/)), 'search · /mcp/finder');
    await moveAway();
    await screenshot('pins-problem-and-profiles', sideBar());

    const tooltip = await showTooltip(proxy, 'Not applied as written');
    assert.match(await tooltip.innerText(), /tools\.overrides has "get-weather", which the proxy does not offer\./);
    await screenshot('override-problem-tooltip');
    await moveAway();
  });

  it("copies a profile's config from the copy icon on its row", async () => {
    const review = row(2, /^review/);
    await review.hover();
    await review.locator('a.action-label[aria-label^="Copy Connection Config"]').click();
    await quickInputOption('Cursor').first().waitFor();
    await quickInput().locator('.quick-input-title').filter({ hasText: 'Copy Connection Config: profile "review"' }).waitFor();
    // From a profile's row only the client is asked.
    assert.equal(await quickInputOption('All tools').count(), 0);
    await page.waitForTimeout(300); // The picker fades in.
    await screenshot('copy-profile-config-picker');
    await quickInputOption('Cursor').first().click();
    await page.getByText(/Copied the Cursor config for profile "review"/).first().waitFor();
    // The message went to the notification centre without a toast: open it for the picture.
    await showNotification(page, /Copied the Cursor config for profile "review"/);
    await page.waitForTimeout(300);
    await screenshot('copied-profile-config');
  });
});
