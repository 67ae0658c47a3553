/**
 * A person's first minutes with the extension, in the real workbench: find
 * MCP Switchboard in the activity bar, add a proxy from the command palette,
 * see it connect and list its tools in the tree. The backend is the reference
 * MCP server, started over stdio by the extension's own switchboard.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { newWorkbenchPage } from '../browser';
import { REPO } from '../paths';
import { startSession, type BedSession } from '../session';
import { teardown } from './bed';
import { widenSideBar } from './workbench';

const EVERYTHING = join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const PROXY = 'everything';

describe('MCP Switchboard in the VS Code UI', function () {
  let bed: BedSession;
  let page: Page;
  let shot = 0;

  /** Saves a numbered screenshot of the whole window to test-results/ui/. */
  async function screenshot(name: string): Promise<void> {
    shot += 1;
    await page.screenshot({ path: join(bed.results, `${String(shot).padStart(2, '0')}-${name}.png`) });
  }

  const quickInput = () => page.locator('.quick-input-widget');

  /** Waits for the quick input to show `text` in its title (e.g. the step "2/3"), types `value`, presses Enter. */
  async function answer(title: RegExp, value: string, shotName?: string): Promise<void> {
    await quickInput().locator('.quick-input-title').filter({ hasText: title }).waitFor();
    await page.keyboard.type(value);
    if (shotName) await screenshot(shotName);
    await page.keyboard.press('Enter');
  }

  /** The Proxies view's tree row whose label starts with `label`. */
  function treeRow(label: string | RegExp): Locator {
    return page.locator('.pane-body [role="treeitem"]').filter({ hasText: label });
  }

  /** Opens a collapsed tree row the way a person does: a click on it. */
  async function expand(row: Locator): Promise<void> {
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await page.waitForFunction((element) => element?.getAttribute('aria-expanded') === 'true', await row.elementHandle());
  }

  before(async function () {
    // Cold provisioning downloads and builds code-server; warm it takes seconds.
    this.timeout(30 * 60_000);
    bed = await startSession(teardown, { name: 'ui' });
    page = await newWorkbenchPage(bed.browser);
    await page.goto(`${bed.server.origin}/?folder=${encodeURIComponent(bed.profile.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async function () {
    // A failed step leaves the window as it was: keep a picture of it.
    if (page && this.currentTest?.state === 'failed') await screenshot('failure');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  it('has MCP Switchboard in the activity bar, and its view invites to add a proxy', async () => {
    // View containers of extensions join the activity bar once the extension host has started.
    await page.locator('.part.activitybar a.action-label[aria-label^="MCP Switchboard"]').click({ timeout: 60_000 });
    await page.getByText('No MCP servers are mounted yet').waitFor();
    await widenSideBar(page);
    await screenshot('empty-view');
  });

  it('adds a proxy through "MCP Switchboard: Add Proxy…" in the command palette', async () => {
    await page.keyboard.press('F1');
    await quickInput().waitFor();
    await page.keyboard.type('MCP Switchboard: Add Proxy');
    await quickInput().locator('[role="option"]').filter({ hasText: 'MCP Switchboard: Add Proxy…' }).first().waitFor();
    await screenshot('command-palette');
    await page.keyboard.press('Enter');

    await answer(/1\/3/, PROXY);
    await answer(/2\/3/, `node ${EVERYTHING} stdio`, 'add-proxy-command');
    await quickInput().locator('.quick-input-title').filter({ hasText: /3\/3/ }).waitFor();
    await page.keyboard.type('Workspace');
    await screenshot('add-proxy-scope');
    await page.keyboard.press('Enter');

    await page.getByText(`Proxy "${PROXY}" was added to workspace settings.`).waitFor();
  });

  it('shows the new proxy connected in the tree, with its tools', async () => {
    const row = treeRow(new RegExp(`^${PROXY}`));
    await row.waitFor();
    // The reference server has 17 tools; the row says so once it has connected.
    await row.filter({ hasText: /\d+ tools?/ }).waitFor({ timeout: 60_000 });
    await expand(row);
    const tools = treeRow(/^Tools/);
    await tools.waitFor();
    await expand(tools);
    await treeRow(/echo/).first().waitFor();
    assert.ok((await treeRow(/get-sum/).count()) > 0, 'the tree lists get-sum too');
    await page.mouse.move(900, 600); // Away from the tree: no hover highlight in the picture.
    await screenshot('proxy-and-tools');
  });
});
