/**
 * A person who already runs MCP servers from VS Code's own `.vscode/mcp.json`
 * installs the switchboard: the status bar says what it is before any view is
 * opened, Import Servers… from the command palette takes the servers over,
 * and, when the person agrees in the dialog that follows, takes them out of
 * mcp.json so that VS Code does not run them a second time. Real clicks and
 * keys in the real workbench; nothing is answered through a test seam.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import type { Page } from 'playwright-core';
import { newWorkbenchPage } from '../browser';
import { REPO } from '../paths';
import { startSession, type BedSession } from '../session';
import { Teardown } from '../teardown';
import { teardown as runTeardown } from './bed';
import { numberedScreenshots, showNotification } from './workbench';

const EVERYTHING = join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

/** The mcp.json the person had before: a comment, inputs, one server to import and one to keep. */
const MCP_JSON = `{
  // MCP servers VS Code runs itself.
  "inputs": [],
  "servers": {
    "local-everything": { "type": "stdio", "command": "node", "args": [${JSON.stringify(EVERYTHING)}, "stdio"] },
    /* Stays with VS Code. */
    "kept-server": { "type": "http", "url": "http://127.0.0.1:9/mcp" }
  }
}
`;

describe('MCP Switchboard for someone who already has .vscode/mcp.json', function () {
  // This file's own bed, started fresh so that no view has been opened in it, and stopped when the file ends.
  const teardown = new Teardown();
  let bed: BedSession;
  let page: Page;
  let mcpJson: string;

  const screenshot = numberedScreenshots(() => page, () => bed.results);

  const quickInput = () => page.locator('.quick-input-widget');
  const quickInputTitled = (title: RegExp) => quickInput().locator('.quick-input-title').filter({ hasText: title });
  /** A row of the quick input's list (an option, or a checkbox when several can be picked). */
  const quickInputRow = (text: string) => quickInput().locator('.quick-input-list .monaco-list-row').filter({ hasText: text });
  const statusBarItem = () => page.locator('.part.statusbar .statusbar-item').filter({ has: page.locator('.codicon-plug, .codicon-debug-disconnect') });

  /** What the status bar item shows, and what a screen reader says for it. */
  async function readStatusBar(): Promise<{ text: string; label: string | null }> {
    const item = statusBarItem();
    const text = (await item.innerText()).trim();
    const label = await item.evaluate((element) => (element.querySelector('[aria-label]') ?? element).getAttribute('aria-label'));
    return { text, label };
  }

  /** Hovers the status bar item until its tooltip shows, for a picture; then moves away. */
  async function screenshotStatusBarTooltip(name: string): Promise<void> {
    await statusBarItem().hover();
    await page.locator('.monaco-hover').filter({ hasText: 'MCP Switchboard' }).first().waitFor();
    await screenshot(name);
    await page.mouse.move(700, 400);
  }

  before(async function () {
    this.timeout(30 * 60_000);
    runTeardown.add('stopping the bed of importAndStatusBar.test.ts', () => teardown.run());
    bed = await startSession(teardown, {
      name: join('ui', 'first-run'),
      prepare: async (profile) => {
        mkdirSync(join(profile.workspace, '.vscode'), { recursive: true });
        mcpJson = join(profile.workspace, '.vscode', 'mcp.json');
        writeFileSync(mcpJson, MCP_JSON);
      },
    });
    page = await newWorkbenchPage(bed.browser);
    await page.goto(`${bed.server.origin}/?folder=${encodeURIComponent(bed.profile.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (page && this.currentTest?.state === 'failed') await screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await teardown.run();
  });

  it('shows the status bar from the start, before the view is ever opened, in words, with a plain accessible label', async () => {
    // The extension activates once startup has finished; its item joins the status bar then.
    await statusBarItem().waitFor({ timeout: 60_000 });
    assert.equal(await page.getByText('No MCP servers are mounted yet').count(), 0, 'the Proxies view has not been opened');
    const { text, label } = await readStatusBar();
    assert.equal(text, 'No MCP servers');
    assert.equal(label, 'MCP Switchboard: no MCP servers are mounted yet. Opens the Proxies view to add one.');
    await screenshot('status-bar-before-the-view', page.locator('.part.statusbar'));
    await screenshotStatusBarTooltip('status-bar-tooltip-no-servers');
  });

  it('imports the servers of .vscode/mcp.json from the command palette, leaving one unticked', async () => {
    await page.keyboard.press('F1');
    await quickInput().waitFor();
    await page.keyboard.type('MCP Switchboard: Import Servers');
    await quickInput().locator('[role="option"]').filter({ hasText: 'MCP Switchboard: Import Servers…' }).first().waitFor();
    await page.keyboard.press('Enter');

    await quickInputTitled(/1\/3/).waitFor();
    await quickInputRow('Workspace mcp.json').click();

    await quickInputTitled(/2\/3/).waitFor();
    const kept = quickInputRow('kept-server');
    await kept.waitFor();
    // A click on the row of a multiple-choice list toggles its tick.
    await kept.click();
    await page.waitForFunction((element) => element?.getAttribute('aria-checked') === 'false', await kept.elementHandle());
    assert.equal(await quickInputRow('local-everything').getAttribute('aria-checked'), 'true');
    await page.mouse.move(700, 600); // Off the list: no hover over the rows in the picture.
    await page.waitForTimeout(500);
    await screenshot('import-servers-one-unticked');
    await page.keyboard.press('Enter');

    await quickInputTitled(/3\/3/).waitFor();
    await quickInputRow('Workspace settings').click();
  });

  it('offers to remove the imported server from .vscode/mcp.json, and on "Remove" leaves the rest of the file as it was', async () => {
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: 'Imported 1 server into workspace settings. Remove it from .vscode/mcp.json?' }).waitFor();
    assert.match(await dialog.innerText(), /VS Code runs the servers in \.vscode\/mcp\.json itself, so "local-everything" would run twice/);
    assert.equal(readFileSync(mcpJson, 'utf8'), MCP_JSON, 'nothing is removed before the answer');
    await screenshot('offer-to-remove-from-mcp-json');
    await dialog.getByRole('button', { name: 'Remove from mcp.json' }).click();

    await showNotification(page, 'Removed "local-everything" from .vscode/mcp.json: the switchboard runs it now.');
    const after = readFileSync(mcpJson, 'utf8');
    assert.doesNotMatch(after, /local-everything/);
    for (const kept of ['// MCP servers VS Code runs itself.', '"inputs": [],', '/* Stays with VS Code. */', '"kept-server": { "type": "http", "url": "http://127.0.0.1:9/mcp" }']) {
      assert.ok(after.includes(kept), `mcp.json keeps ${kept}:\n${after}`);
    }
    assert.deepEqual(parseJsonc(after), { inputs: [], servers: { 'kept-server': { type: 'http', url: 'http://127.0.0.1:9/mcp' } } });
    await screenshot('removed-from-mcp-json');
    await page.keyboard.press('Escape');

    // The file as the person sees it afterwards: Quick Open, then the editor.
    await page.keyboard.press('Control+P');
    await quickInput().waitFor();
    await page.keyboard.type('.vscode/mcp.json');
    await quickInputRow('mcp.json').first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines').filter({ hasText: 'kept-server' }).waitFor();
    await page.mouse.move(700, 600);
    await screenshot('mcp-json-afterwards');
  });

  it('counts the imported proxy and every tool clients see in the status bar', async () => {
    await statusBarItem().filter({ hasText: /1\/1 connected · \d+ tools/ }).waitFor({ timeout: 60_000 });
    const { text, label } = await readStatusBar();
    const tools = Number(/· (\d+) tools/.exec(text)?.[1]);
    // The reference server's tools and the switchboard's own three (add_proxy, list_proxies, remove_proxy).
    assert.ok(tools > 3, text);
    assert.equal(label, `MCP Switchboard: 1 proxy in settings, 1 connected; clients see ${tools} tools. Lists the proxies.`);
    await screenshot('status-bar-one-proxy', page.locator('.part.statusbar'));
    await screenshotStatusBarTooltip('status-bar-tooltip-one-proxy');
  });
});
