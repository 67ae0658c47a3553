/**
 * A newcomer's walk through the Proxies view and the extension's inputs, in
 * the real workbench with real clicks and keys: the view's title-bar buttons
 * and menu, a tool's checkbox, a resource row, Add Proxy… with a command that
 * is not installed, Set Secret… with a typed key, and entries that are not
 * valid. Nothing is answered through a test seam; what the
 * extension does is read from the screen, the settings file and the system's
 * process table.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { newWorkbenchPage } from '../browser';
import { REPO } from '../paths';
import { startSession, type BedSession } from '../session';
import { Teardown } from '../teardown';
import { teardown as runTeardown } from './bed';
import { expandTreeItem, hoverUntilTooltip, moveMouseAway, numberedScreenshots, widenSideBar } from './workbench';

const EVERYTHING = join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
/** Set in the backend's environment, so the test finds its process among the machine's. */
const MARKER = 'MCP_SWITCHBOARD_UI_BACKEND';
const SECRET_KEY = 'github';
const SECRET_VALUE = `ui-${Math.random().toString(36).slice(2)}`;

/** A proxy entry that runs the reference server over stdio, marked with its name. */
function everything(name: string, env: Record<string, string> = {}): Record<string, unknown> {
  return { command: 'node', args: [EVERYTHING, 'stdio'], env: { [MARKER]: name, ...env } };
}

describe('The Proxies view and the inputs, clicked through', function () {
  // This file's own bed, stopped when the file ends.
  const teardown = new Teardown();
  let bed: BedSession;
  let page: Page;
  let settingsFile: string;

  const screenshot = numberedScreenshots(() => page, () => bed.results);
  const moveAway = () => moveMouseAway(page);
  const showTooltip = (row: Locator, text: string) => hoverUntilTooltip(page, row, text);
  const expand = (row: Locator) => expandTreeItem(page, row);

  const quickInput = () => page.locator('.quick-input-widget');
  const quickInputTitled = (title: RegExp) => quickInput().locator('.quick-input-title').filter({ hasText: title });
  const quickInputOption = (text: string | RegExp) => quickInput().locator('[role="option"]').filter({ hasText: text });
  const quickInputMessage = () => quickInput().locator('.quick-input-message');
  const sideBar = () => page.locator('.part.sidebar');

  /** The Proxies view's tree row whose text matches `label`. */
  function treeRow(label: string | RegExp): Locator {
    return sideBar().locator('[role="treeitem"]').filter({ hasText: label });
  }

  /** The row of a proxy: its label is the name, its description follows. */
  const proxyRow = (name: string) => sideBar().locator('[role="treeitem"][aria-level="1"]').filter({ hasText: new RegExp(`^${name}`) });

  /** The row's description as the tree shows it beside the label. */
  async function descriptionOf(row: Locator): Promise<string> {
    return (await row.locator('.label-description').first().innerText()).trim();
  }

  /** Runs a command from the palette by its title. */
  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    await quickInput().waitFor();
    await page.keyboard.type(title);
    await quickInputOption(title).first().waitFor();
    await page.keyboard.press('Enter');
  }

  /** The ids of the processes running the reference server for proxy `name` in this bed. */
  function backendProcesses(name: string): number[] {
    const home = bed.profile.env.HOME ?? '';
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(EVERYTHING)) continue;
        const environment = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
        if (environment.includes(`${MARKER}=${name}`) && environment.includes(`HOME=${home}`)) pids.push(Number(entry));
      } catch {
        // The process ended while it was read.
      }
    }
    return pids;
  }

  /** Reads the workspace's settings file, changes `mcpSwitchboard.proxies` as a person editing it would, and saves it. */
  function editProxies(change: (proxies: Record<string, unknown>) => void): void {
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    const proxies = { ...(settings['mcpSwitchboard.proxies'] as Record<string, unknown> | undefined) };
    change(proxies);
    writeFileSync(settingsFile, `${JSON.stringify({ ...settings, 'mcpSwitchboard.proxies': proxies }, null, 2)}\n`);
  }

  before(async function () {
    this.timeout(30 * 60_000);
    runTeardown.add('stopping the bed of viewAndInputs.test.ts', () => teardown.run());
    bed = await startSession(teardown, {
      name: join('ui', 'view-and-inputs'),
      prepare: async (profile) => {
        mkdirSync(join(profile.workspace, '.vscode'), { recursive: true });
        settingsFile = join(profile.workspace, '.vscode', 'settings.json');
        writeFileSync(settingsFile, `${JSON.stringify({ 'mcpSwitchboard.proxies': { everything: everything('everything') } }, null, 2)}\n`);
      },
    });
    page = await newWorkbenchPage(bed.browser);
    await page.goto(`${bed.server.origin}/?folder=${encodeURIComponent(bed.profile.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.part.activitybar a.action-label[aria-label^="MCP Switchboard"]').click({ timeout: 60_000 });
    await proxyRow('everything').filter({ hasText: /\d+ tools/ }).waitFor({ timeout: 60_000 });
    await widenSideBar(page);
  });

  afterEach(async function () {
    if (page && this.currentTest?.state === 'failed') await screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
    // Whatever a test left open (a picker, a menu) is closed for the next one.
    await page?.keyboard.press('Escape');
  });

  after(async () => {
    await teardown.run();
  });


  it('opens the Copy Connection Config picker from the view title bar, with a tree row focused', async () => {
    // A title-bar command receives the focused tree node as its argument; the palette gives none.
    await proxyRow('everything').click();
    await sideBar().locator('a.action-label[aria-label^="Copy Connection Config"]').filter({ visible: true }).first().click();
    await quickInputTitled(/Copy Connection Config/).waitFor();
    await quickInputOption('Claude Code').first().waitFor();
    await page.waitForTimeout(300); // The picker fades in.
    await screenshot('copy-connection-config-from-title-bar');
    await quickInputOption('Claude Code').first().click();
    await page.getByText(/Copied the Claude Code config/).first().waitFor();
    assert.equal(await page.getByText(/Cannot read properties of undefined/).count(), 0);
  });

  it('opens Set Secret… from the view\'s menu and stores a key typed by name', async () => {
    await proxyRow('everything').click();
    await sideBar().locator('a.action-label[aria-label*="More Actions"]').filter({ visible: true }).first().click();
    await page.getByRole('menuitem', { name: 'Set Secret…' }).click();
    await quickInputTitled(/Set Secret/).waitFor();
    await page.keyboard.type(SECRET_KEY);
    const typed = quickInputOption(SECRET_KEY);
    await typed.filter({ hasText: 'Set this key' }).waitFor();
    await screenshot('set-secret-typed-key');
    await page.keyboard.press('Enter');

    await quickInputTitled(new RegExp(`Secret "${SECRET_KEY}"`)).waitFor();
    await page.keyboard.type(SECRET_VALUE);
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden' });

    // Stored: a proxy that uses the key connects without asking for it, and Set Secret… lists it as set.
    editProxies((proxies) => {
      proxies.secretive = everything('secretive', { SWITCHBOARD_TEST_TOKEN: `\${secret:${SECRET_KEY}}` });
    });
    await proxyRow('secretive').filter({ hasText: /\d+ tools/ }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByText(`needs the secret "${SECRET_KEY}"`).count(), 0, 'no reminder: the secret is set');
    await runCommand('MCP Switchboard: Set Secret…');
    await quickInputTitled(/Set Secret/).waitFor();
    const listed = quickInputOption(SECRET_KEY);
    await listed.waitFor();
    assert.match(await listed.innerText(), /used by secretive/);
    assert.doesNotMatch(await listed.innerText(), /not set/);
    await screenshot('set-secret-key-is-set');
    await page.keyboard.press('Escape');
    editProxies((proxies) => {
      delete proxies.secretive;
    });
    await proxyRow('secretive').waitFor({ state: 'detached' });
  });

  it('keeps the backend process and the open Tools group when a tool is unticked, and both counts say "N-1 of N"', async () => {
    const row = proxyRow('everything');
    await expand(row);
    const tools = treeRow(/^Tools/);
    await expand(tools);
    const echo = sideBar().locator('[role="treeitem"][aria-level="3"]').filter({ hasText: /^echo/ });
    await echo.waitFor();
    const total = Number(/· (\d+) tools ·/.exec(await descriptionOf(row))?.[1]);
    assert.ok(total > 1, await descriptionOf(row));
    const [before, ...others] = backendProcesses('everything');
    assert.ok(before !== undefined && others.length === 0, `one backend process for "everything" (found ${[before, ...others].join(', ')})`);

    await echo.locator('.custom-view-tree-node-item-checkbox, [role="checkbox"]').first().click();
    await row.filter({ hasText: `${total - 1} of ${total} tools` }).waitFor();
    assert.equal(await descriptionOf(tools), `${total - 1} of ${total} shown`);
    assert.equal(await descriptionOf(echo), 'hidden');
    assert.equal(await tools.getAttribute('aria-expanded'), 'true', 'the Tools group stays open');
    assert.ok(JSON.stringify(JSON.parse(readFileSync(settingsFile, 'utf8'))).includes('"exclude":["echo"]'), 'tools.exclude is written');
    // Give a reconnect, if there were one, time to show.
    await page.waitForTimeout(1500);
    assert.deepEqual(backendProcesses('everything'), [before], 'the backend process is the same one');
    assert.equal(await tools.getAttribute('aria-expanded'), 'true', 'the Tools group is still open');
    await moveAway();
    await screenshot('tool-unticked-counts-agree');

    await echo.locator('.custom-view-tree-node-item-checkbox, [role="checkbox"]').first().click();
    await row.filter({ hasText: `${total} tools` }).filter({ hasNotText: ' of ' }).waitFor();
    assert.equal(await descriptionOf(tools), String(total));
    assert.deepEqual(backendProcesses('everything'), [before]);
    await tools.locator('.monaco-tl-twistie').click();
  });

  it('opens a resource in a read-only editor when its row is clicked, read through the switchboard', async () => {
    const resources = treeRow(/^Resources/);
    await expand(resources);
    const first = sideBar().locator('[role="treeitem"][aria-level="3"]').filter({ has: page.locator('.codicon-file') }).first();
    const name = (await first.locator('.label-name').innerText()).trim();
    await first.click();
    const tab = page.locator('.tabs-container .tab').filter({ hasText: name });
    await tab.waitFor();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').filter({ hasText: /\S/ }).waitFor();
    // A read-only editor refuses typing, and says so.
    await editor.locator('.view-lines').click();
    await page.keyboard.type('x');
    await page.getByText('Cannot edit in read-only editor').first().waitFor();
    await moveAway();
    await screenshot('resource-opened-read-only');
    await resources.locator('.monaco-tl-twistie').click();
    await page.keyboard.press('Control+W');
  });

  it('warns in Add Proxy… when the command is not on PATH, keeps step 2 on Back, saves anyway, and the row says why it fails', async () => {
    const command = 'definitely-not-a-command --stdio';
    await runCommand('MCP Switchboard: Add Proxy…');
    await quickInputTitled(/1\/3/).waitFor();
    await page.keyboard.type('broken');
    await page.keyboard.press('Enter');
    await quickInputTitled(/2\/3/).waitFor();
    await page.keyboard.type(command);
    await quickInputMessage().filter({ hasText: '"definitely-not-a-command" is not on PATH' }).waitFor();
    await screenshot('add-proxy-command-not-on-path');

    // Back to step 1 and forward again: what was typed in step 2 is still there.
    await quickInput().locator('.quick-input-titlebar a.action-label[aria-label^="Back"]').click();
    await quickInputTitled(/1\/3/).waitFor();
    await page.keyboard.press('Enter');
    await quickInputTitled(/2\/3/).waitFor();
    assert.equal(await quickInput().locator('input.input').inputValue(), command);
    await quickInputMessage().filter({ hasText: 'is not on PATH' }).waitFor();
    await page.keyboard.press('Enter');

    await quickInputTitled(/3\/3/).waitFor();
    await quickInputOption('Workspace settings').click();
    await page.getByText(/Proxy "broken" was added to workspace settings, but it will not start until its command is found/).first().waitFor();

    const row = proxyRow('broken');
    await row.filter({ hasText: 'error: no such command' }).waitFor({ timeout: 30_000 });
    assert.equal(await descriptionOf(row), 'stdio · error: no such command · workspace');
    await moveAway();
    await screenshot('row-says-why-it-fails');
  });

  it('shows a proxy with a hidden tool beside one that cannot start (the README\'s picture)', async () => {
    const row = proxyRow('everything');
    await expand(row);
    const tools = treeRow(/^Tools/);
    await expand(tools);
    const echo = sideBar().locator('[role="treeitem"][aria-level="3"]').filter({ hasText: /^echo/ });
    await echo.locator('.custom-view-tree-node-item-checkbox, [role="checkbox"]').first().click();
    await row.filter({ hasText: / of \d+ tools/ }).waitFor();
    await moveAway();
    await screenshot('proxies-view');
    await echo.locator('.custom-view-tree-node-item-checkbox, [role="checkbox"]').first().click();
    await row.filter({ hasNotText: ' of ' }).waitFor();
    await tools.locator('.monaco-tl-twistie').click();
    await row.locator('.monaco-tl-twistie').click();
  });

  it('lists every problem of entries that are not valid in words, on the row and in its tooltip', async () => {
    editProxies((proxies) => {
      proxies.nothing = {};
      proxies.twice = { url: 'ftp://example.com/mcp', args: ['--stdio'], timeoutMs: 5 };
    });
    const nothing = proxyRow('nothing');
    await nothing.waitFor();
    assert.equal(await descriptionOf(nothing), 'invalid: give a "url" or a "command" to run · workspace');
    const hover = await showTooltip(proxyRow('twice'), 'twice');
    const text = await hover.innerText();
    assert.match(text, /problems:/);
    assert.match(text, /timeoutMs/);
    assert.doesNotMatch(text, /Last error/);
    assert.doesNotMatch(text, /invalid settings entry/);
    await screenshot('invalid-entry-tooltip');
    await moveAway();
  });

  it('draws the inline Restart icon in the view\'s usual icon colour on every row', async () => {
    const colourOf = (locator: Locator) => locator.evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).color);
    // The selection (which recolours its own row's icons) goes to a row without a Restart icon.
    await proxyRow('nothing').click();
    const usual = await colourOf(sideBar().locator('a.action-label[aria-label^="Add Proxy"]').filter({ visible: true }).first());
    for (const name of ['everything', 'broken']) {
      await proxyRow(name).locator('.label-name').hover();
      const restart = proxyRow(name).locator('.actions a.action-label[aria-label^="Restart Proxy"]');
      await restart.waitFor();
      assert.equal(await colourOf(restart), usual, `the Restart icon on "${name}" has the colour of the view's other icons`);
      await screenshot(`restart-icon-on-${name}`, sideBar());
    }
    await moveAway();
  });

  it('says in settings.json that a proxy needs a url or a command', async () => {
    await runCommand('Preferences: Open Workspace Settings (JSON)');
    await page.locator('.tabs-container .tab').filter({ hasText: 'settings.json' }).waitFor();
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.getByText('A proxy needs a "url" (http:// or https://) or a "command" to run.').first().waitFor();
    assert.equal(await problems.getByText('Missing property "command"').count(), 0);
    // Over the editor, where no hover opens (the panel's rows have their own).
    await page.mouse.move(1100, 300);
    await page.waitForTimeout(300);
    await screenshot('settings-json-needs-url-or-command');
    await page.locator('.part.panel a.action-label[aria-label^="Hide Panel"], .part.panel a.action-label[aria-label^="Close"]').filter({ visible: true }).first().click();
  });
});
