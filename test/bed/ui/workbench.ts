/**
 * Moves the UI tests make in the real workbench again and again: kept here
 * once, so each test file says only what it checks.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** A screenshot function that numbers its files (`01-name.png`, …) in `folder`; `part` shoots one element only. */
export function numberedScreenshots(page: () => Page, folder: () => string): (name: string, part?: Locator) => Promise<void> {
  let shot = 0;
  return async (name, part) => {
    shot += 1;
    const path = join(folder(), `${String(shot).padStart(2, '0')}-${name}.png`);
    await (part ? part.screenshot({ path }) : page().screenshot({ path }));
  };
}

/** Moves the mouse off everything, so no hover highlight or tooltip is in the picture. */
export async function moveMouseAway(page: Page): Promise<void> {
  await page.mouse.move(1000, 650);
  await page.waitForTimeout(300);
}

/**
 * Hovers a tree row until its tooltip shows, and returns the tooltip. A row
 * the tree renders again (as the proxies' states change) drops its hover, so
 * the mouse leaves and comes back until the tooltip stays.
 */
export async function hoverUntilTooltip(page: Page, row: Locator, text: string): Promise<Locator> {
  const tooltip = page.locator('.workbench-hover').filter({ hasText: text }).first();
  for (let attempt = 1; ; attempt++) {
    await row.locator('.label-name').hover();
    try {
      await tooltip.waitFor({ timeout: 3_000 });
      return tooltip;
    } catch (error) {
      if (attempt === 10) throw error;
      await moveMouseAway(page);
    }
  }
}

/** Opens a tree row by its twistie (a click on the row would run its command), and waits until it is open. */
export async function expandTreeItem(page: Page, row: Locator): Promise<void> {
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
  await page.waitForFunction((element) => element?.getAttribute('aria-expanded') === 'true', await row.elementHandle());
}

/**
 * Opens the notification centre, where the workbench puts every message while
 * the smoke-test driver hides toasts, and waits for `text` there. It goes
 * through the command palette once every modal dialog is gone: a click on the
 * bell while a dialog fades out is swallowed by the dialog's overlay.
 */
export async function showNotification(page: Page, text: string | RegExp): Promise<Locator> {
  await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden' });
  const palette = page.locator('.quick-input-widget');
  await page.keyboard.press('F1');
  await palette.waitFor();
  await page.keyboard.type('Notifications: Show Notifications');
  await palette.locator('[role="option"]').filter({ hasText: 'Notifications: Show Notifications' }).first().waitFor();
  await page.keyboard.press('Enter');
  const item = page.locator('.notifications-center .notification-list-item').filter({ hasText: text }).first();
  await item.waitFor();
  await palette.waitFor({ state: 'hidden' }); // Out of the picture.
  return item;
}

/** Runs a command from the command palette by its title, as a person types it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const palette = page.locator('.quick-input-widget');
  await page.keyboard.press('F1');
  await palette.waitFor();
  await page.keyboard.type(title);
  await palette.locator('[role="option"]').filter({ hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/**
 * Opens the MCP Switchboard view from the activity bar unless it is open
 * already. A click on the icon of the open view closes the side bar, and a
 * reloaded window restores its view a moment after its icon shows: so it
 * waits for the view first, clicks only when it is not there, and clicks
 * again if that click met the restored view and closed it.
 */
export async function openSwitchboardView(page: Page): Promise<void> {
  const icon = page.locator('.part.activitybar a.action-label[aria-label^="MCP Switchboard"]');
  // View containers of extensions join the activity bar once the extension host has started.
  await icon.waitFor({ timeout: 60_000 });
  const title = page.locator('.part.sidebar .composite.title h2').filter({ hasText: /^MCP Switchboard/i });
  for (let attempt = 1; ; attempt++) {
    try {
      await title.waitFor({ timeout: attempt === 1 ? 2_000 : 5_000 });
      return;
    } catch (error) {
      if (attempt === 4) throw error;
    }
    await icon.click();
  }
}

/** Drags the side bar's edge to the right so that row descriptions are not cut. */
export async function widenSideBar(page: Page): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const edge = { x: box.x + box.width + 1, y: box.y + box.height / 2 };
  await page.mouse.move(edge.x, edge.y);
  await page.mouse.down();
  await page.mouse.move(edge.x + 260, edge.y, { steps: 10 });
  await page.mouse.up();
  await moveMouseAway(page);
}

/**
 * What is on the clipboard once it matches `expected`: the page reads it as
 * a paste would (its browser profile may: newWorkbenchContext), in front,
 * since Chromium lets only the focused page read it.
 */
export async function clipboardText(page: Page, expected: RegExp): Promise<string> {
  await page.bringToFront();
  const deadline = Date.now() + 10_000;
  for (;;) {
    // A string: the page's globals are not in this program's types.
    const text = await page.evaluate<string>('navigator.clipboard.readText()');
    if (expected.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`The clipboard has ${JSON.stringify(text.slice(0, 300))}, not text that matches ${expected}.`);
    await page.waitForTimeout(200);
  }
}

/** Empties the clipboard, so that what an earlier copy left cannot pass for the next one. */
export async function clearClipboard(page: Page): Promise<void> {
  await page.bringToFront();
  await page.evaluate('navigator.clipboard.writeText("")');
}
