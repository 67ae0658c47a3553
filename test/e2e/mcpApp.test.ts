/**
 * An MCP App in a real browser, through the switchboard. The App server from
 * npm (`@modelcontextprotocol/server-basic-vanillajs`) is mounted behind the
 * built CLI under the prefix "clock"; a host page made with ext-apps' host
 * side (its app bridge, host/hostPage.ts) runs in Debian's Chromium, renders
 * the App's `ui://get-time/mcp-app.html` in a sandboxed iframe, and relays the
 * page's `callServerTool({ name: "get-time" })` — the tool's own name, not
 * the front's `clock_get-time` — to the switchboard, which routes it.
 *
 * Why the MCP client runs in the page, behind a same-origin relay (hostServer.ts),
 * and not in Node behind Playwright's exposeFunction: a web host's client runs
 * in the browser, so this runs the real browser stack — the SDK's
 * StreamableHTTPClientTransport on the browser's fetch and event streams,
 * ext-apps bundled for the browser, postMessage between the frames. The
 * switchboard refuses browsers on purpose (Origin null or foreign, no CORS,
 * JSON only), so the page talks to its own origin and the relay adds the
 * token from Node, as a web host's backend would; the switchboard's rules are
 * untouched. An exposeFunction bridge would test Node's client and a shim.
 *
 * The screenshot of the App after its button was clicked is saved to
 * test-results/e2e/mcp-app.png for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../bed/browser';
import { ROOT, type RunningSwitchboard, startSwitchboard, waitForTool } from '../server/harness';
import { type HostServer, startHostServer } from './hostServer';

const APP_SERVER = { command: process.execPath, args: [join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-basic-vanillajs', 'dist', 'index.js'), '--stdio'] };
const APP_HOST = { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } };
const RESULTS = join(ROOT, 'test-results', 'e2e');
const SCREENSHOT = join(RESULTS, 'mcp-app.png');
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Debian's Chromium, as the bed finds it: `chromium` on PATH (test/bed/provision.sh installs it). */
function findChromium(): string {
  const found = (process.env.PATH ?? '').split(delimiter).map((folder) => join(folder, 'chromium')).find((path) => existsSync(path));
  if (!found) throw new Error('Chromium is not on PATH: run `bash test/bed/provision.sh` (as root it installs Debian\'s chromium).');
  return found;
}

describe('An MCP App in Chromium, through the switchboard', function () {
  this.timeout(60_000);
  let switchboard: RunningSwitchboard;
  let host: HostServer;
  let browser: Browser;
  let page: Page;
  let home: string;
  const pageErrors: string[] = [];

  /** The App's frame: the page's only iframe, its document the App's ui:// page. */
  const appFrame = (): Frame => {
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    if (!frame) throw new Error('The host page has no iframe.');
    return frame;
  };
  const shownTime = async (): Promise<string> => (await appFrame().locator('#server-time').textContent())?.trim() ?? '';

  before(async () => {
    const executablePath = findChromium();
    switchboard = await startSwitchboard({ clock: APP_SERVER });
    await waitForTool(await switchboard.connect(APP_HOST as never), 'clock_get-time');
    host = await startHostServer(switchboard);
    // Chromium's profile, key store and caches go to a throwaway HOME.
    home = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, env: { ...process.env, HOME: home } });
    page = await (await browser.newContext({ viewport: { width: 900, height: 720 }, deviceScaleFactor: 1 })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${host.url}/?tool=clock_get-time`);
    await page.waitForFunction('window.hostState !== "starting"', undefined, { timeout: 20_000 });
    const state = await page.evaluate('window.hostState');
    assert.equal(state, 'ready', `the host page did not get the App running: ${String(state)}\n${pageErrors.join('\n')}`);
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    await switchboard?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("renders the App's ui:// page in a sandboxed iframe, with the result of the tool call the host made", async () => {
    assert.equal(await page.locator('#app iframe').getAttribute('sandbox'), 'allow-scripts');
    assert.equal(await appFrame().title(), 'Get Time App');
    await appFrame().locator('#server-time').filter({ hasText: ISO_TIME }).waitFor({ timeout: 10_000 });
    assert.deepEqual(
      host.relayed.filter((call) => call.method === 'tools/call' || call.method === 'resources/read'),
      [{ method: 'tools/call', tool: 'clock_get-time' }, { method: 'resources/read' }],
      'the host called the tool by its front name and read its page',
    );
  });

  it("shows the server's time when the App's button is clicked: the page's call by the tool's own name reaches the App server", async () => {
    const before = await shownTime();
    const clickedAt = Date.now();
    await appFrame().getByRole('button', { name: 'Get Server Time' }).click();
    // The frame's document is of another (opaque) origin: Playwright reads it, the host page cannot.
    let after = before;
    for (const deadline = Date.now() + 10_000; after === before && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await shownTime();
    }
    assert.match(after, ISO_TIME, `the App shows ${JSON.stringify(after)}, not a time`);
    assert.notEqual(after, before, 'a new answer replaced the first one');
    const answeredAt = Date.parse(after);
    assert.ok(answeredAt >= clickedAt - 1_000 && answeredAt <= Date.now() + 1_000, `the time ${after} was made after the click`);
    assert.deepEqual(host.relayed.filter((call) => call.method === 'tools/call').at(-1), { method: 'tools/call', tool: 'get-time' }, "the page's call, by the tool's own name");
    assert.deepEqual(pageErrors, []);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("refuses the relay to the App's own page: the sandbox gives it an opaque origin", async () => {
    const status = await appFrame().evaluate(async (url) => {
      try {
        const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
        return answer.status;
      } catch (error) {
        // The relay sends no CORS headers, so a browser may hide even the 403 from the page.
        return `blocked: ${String(error)}`;
      }
    }, `${host.url}/mcp`);
    assert.ok(status === 403 || String(status).startsWith('blocked'), `the App's page got ${String(status)}`);
    // A JSON POST from another origin is preceded by a CORS preflight: that is what reaches the relay, and is refused.
    assert.deepEqual(host.refused, ['OPTIONS from null (Sec-Fetch-Site: cross-site)']);
  });
});
