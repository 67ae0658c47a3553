/**
 * Two VS Code windows of one user (two workbench pages on two folders, one
 * user-data dir) with `mcpSwitchboard.sharedSwitchboard` on: they attach to
 * one shared switchboard that runs one process for the user's proxy, each
 * sees its own workspace proxy and not the other's, a reload restarts no
 * backend, and the URL and token Copy Connection Config gave for "this
 * window" still work after VS Code (code-server) has restarted.
 *
 * What a window's Copilot connection gets is read where its MCP server
 * definition points VS Code: the window's URL with the shared token, as Copy
 * Connection Config gives them — this bed drives two windows through the UI,
 * where `vscode.lm.tools` cannot be read.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { BrowserContext, Page } from 'playwright-core';
import { isAlive, readDiscovery, type Discovery } from '../../../src/core/user/discovery';
import { userFiles } from '../../../src/core/user/userFiles';
import { newWorkbenchContext } from '../browser';
import { REPO } from '../paths';
import { processesOfHome } from '../processes';
import { restartCodeServer, startSession, type BedSession } from '../session';
import { Teardown } from '../teardown';
import { teardown as runTeardown } from './bed';
import { clearClipboard, clipboardText, moveMouseAway, numberedScreenshots, openSwitchboardView, runCommand, widenSideBar } from './workbench';

const EVERYTHING = join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
/** An argument only the user proxy's process has, so the test counts its processes in /proc. */
const USER_MARKER = `user-proxy-${Math.random().toString(36).slice(2)}`;
const USER_PROXY = 'shared';

/** A window of the test: its folder, its workspace proxy, its page once open. */
interface Window {
  readonly label: 'A' | 'B';
  readonly proxy: string;
  folder: string;
  page?: Page | undefined;
}

/** Where a window's "this window" config points a client. */
interface WindowConnection {
  readonly url: string;
  readonly token: string;
}

/** A free loopback port for the shared switchboard: not 47115, which a switchboard of this machine's user may hold. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The processes (of any user's, read through /proc) whose command line passes `matches`. */
function processesWhere(matches: (argv: string[]) => boolean): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (matches(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'))) found.push(Number(entry));
    } catch {
      // Ended while it was read.
    }
  }
  return found.sort((a, b) => a - b);
}

describe('Two VS Code windows on one shared switchboard (mcpSwitchboard.sharedSwitchboard)', function () {
  this.timeout(240_000);
  // This file's own bed, stopped when the file ends.
  const teardown = new Teardown();
  let bed: BedSession;
  let browser: BrowserContext;
  let port: number;
  let userSettings: string;
  const a: Window = { label: 'A', proxy: 'alpha', folder: '' };
  const b: Window = { label: 'B', proxy: 'beta', folder: '' };
  const connections = new Map<Window, WindowConnection>();
  const clients: Client[] = [];

  const pageOf = (window: Window) => {
    assert.ok(window.page, `window ${window.label} is open`);
    return window.page;
  };
  // One numbering for both windows' pictures, in the order they were taken.
  let pictured = a;
  const shoot = numberedScreenshots(() => pageOf(pictured), () => bed.results);
  const screenshot = (window: Window, name: string) => {
    pictured = window;
    return shoot(`window-${window.label}-${name}`);
  };

  const discovery = async (): Promise<Discovery> => {
    const found = await readDiscovery(userFiles(bed.profile.env).discovery);
    assert.ok(found, 'the shared switchboard wrote its discovery file in the profile’s runtime folder');
    return found;
  };
  /** The shared switchboards of this profile: `--user` on its user settings. */
  const sharedSwitchboards = () => processesWhere((argv) => argv.includes('--user') && argv.includes(userSettings));
  /** Switchboards a window forked for itself (it would, had it not attached). */
  const ownSwitchboards = () => processesWhere((argv) => argv.some((arg) => arg.startsWith(bed.profile.extensions) && arg.endsWith('/dist/server.js')));
  const userBackends = () => processesWhere((argv) => argv.includes(EVERYTHING) && argv.includes(USER_MARKER));
  /** A workspace proxy's processes: its `${workspaceFolder}` argument is its window's folder. */
  const workspaceBackends = (window: Window) => processesWhere((argv) => argv.includes(EVERYTHING) && argv.includes(window.folder));

  const proxyRows = (window: Window) => pageOf(window).locator('.part.sidebar [role="treeitem"][aria-level="1"]');
  const proxyRow = (window: Window, name: string) => proxyRows(window).filter({ hasText: new RegExp(`^${name}`) });

  /** Opens the window's folder in a new page of the one browser, shows the view, and waits until both its proxies are connected. */
  async function openWindow(window: Window): Promise<void> {
    const page = await browser.newPage();
    window.page = page;
    await page.goto(`${bed.server.origin}/?folder=${encodeURIComponent(window.folder)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await showProxies(window);
    await widenSideBar(page);
  }

  async function showProxies(window: Window): Promise<void> {
    await openSwitchboardView(pageOf(window));
    for (const name of [USER_PROXY, window.proxy]) await proxyRow(window, name).filter({ hasText: /\d+ tools/ }).waitFor({ timeout: 60_000 });
  }

  /** The proxy names the window's tree shows, in its order. */
  async function treeNames(window: Window): Promise<string[]> {
    return (await proxyRows(window).locator('.label-name').allInnerTexts()).map((name) => name.trim());
  }

  /** Copy Connection Config… for one of the "this window" clients, from the palette, and what it put on the clipboard. */
  async function copyWindowConfig(window: Window, client: string, expected: RegExp): Promise<string> {
    const page = pageOf(window);
    await clearClipboard(page);
    await runCommand(page, 'MCP Switchboard: Copy Connection Config…');
    const picker = page.locator('.quick-input-widget');
    await picker.locator('[role="option"]').filter({ hasText: 'this window' }).first().waitFor();
    await page.keyboard.type(client);
    await picker.locator('[role="option"]').filter({ hasText: client }).first().waitFor();
    await page.keyboard.press('Enter');
    return await clipboardText(page, expected);
  }

  /** The URL and token of the window's three "this window" configs, which must agree. */
  async function windowConnection(window: Window): Promise<WindowConnection> {
    const claude = await copyWindowConfig(window, 'Claude Code, this window', /^claude mcp add/);
    const match = /^claude mcp add --transport http switchboard (\S+) --header "Authorization: Bearer ([^"]+)"\n$/.exec(claude);
    assert.ok(match?.[1] && match[2], `a Claude Code command with a URL and a token: ${claude}`);
    type Server = { url: string; headers: { Authorization: string } };
    const cursor = (JSON.parse(await copyWindowConfig(window, 'Cursor, this window', /"mcpServers"/)) as { mcpServers: { switchboard: Server } }).mcpServers.switchboard;
    const mcpJson = (JSON.parse(await copyWindowConfig(window, 'VS Code (.vscode/mcp.json), this window', /"servers"/)) as { servers: { switchboard: Server & { type: string } } }).servers.switchboard;
    for (const server of [cursor, mcpJson]) assert.deepEqual({ url: server.url, authorization: server.headers.Authorization }, { url: match[1], authorization: `Bearer ${match[2]}` });
    assert.equal(mcpJson.type, 'http');
    return { url: match[1], token: match[2] };
  }

  /** An MCP client on a window's URL with its token, as Copilot's connection of that window (or a pasted config) is. */
  async function connectTo({ url, token }: WindowConnection): Promise<Client> {
    const client = new Client({ name: 'window-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  }

  const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);
  const echo = async (client: Client, tool: string, message: string) =>
    ((await client.callTool({ name: tool, arguments: { message } })) as { content: { text: string }[] }).content[0]?.text;

  before(async function () {
    this.timeout(30 * 60_000);
    runTeardown.add('stopping the bed of twoWindows.test.ts', () => teardown.run());
    port = await freePort();
    bed = await startSession(teardown, {
      name: join('ui', 'two-windows'),
      prepare: async (profile) => {
        userSettings = join(profile.userData, 'User', 'settings.json');
        const settings = JSON.parse(readFileSync(userSettings, 'utf8')) as Record<string, unknown>;
        Object.assign(settings, {
          'mcpSwitchboard.sharedSwitchboard': true,
          'mcpSwitchboard.port': port,
          'mcpSwitchboard.proxies': { [USER_PROXY]: { command: 'node', args: [EVERYTHING, 'stdio', USER_MARKER] } },
        });
        writeFileSync(userSettings, `${JSON.stringify(settings, null, 2)}\n`);
        for (const window of [a, b]) {
          window.folder = join(profile.root, `workspace-${window.label.toLowerCase()}`);
          mkdirSync(join(window.folder, '.vscode'), { recursive: true });
          // `${workspaceFolder}` is the window's own: its process carries its folder.
          const proxies = { [window.proxy]: { command: 'node', args: [EVERYTHING, 'stdio', '${workspaceFolder}'] } };
          writeFileSync(join(window.folder, '.vscode', 'settings.json'), `${JSON.stringify({ 'mcpSwitchboard.proxies': proxies }, null, 2)}\n`);
        }
      },
    });
    browser = await newWorkbenchContext(bed.browser);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const window of [a, b]) if (window.page && !window.page.isClosed()) await screenshot(window, `failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await teardown.run();
  });

  it('attaches both windows to one shared switchboard, with one process for the user proxy', async () => {
    await openWindow(a);
    await openWindow(b);
    const { pid, url } = await discovery();
    assert.equal(url, `http://127.0.0.1:${port}/mcp`);
    assert.deepEqual(sharedSwitchboards(), [pid], 'one --user switchboard, the one the discovery file names');
    assert.deepEqual(ownSwitchboards(), [], 'neither window forked a switchboard of its own');
    assert.equal(userBackends().length, 1, `one server-everything for the user proxy, found ${userBackends().join(', ')}`);
    for (const window of [a, b]) assert.equal(workspaceBackends(window).length, 1, `one process for window ${window.label}’s ${window.proxy}`);
  });

  it('shows each window its own workspace proxy in its tree, and not the other’s', async () => {
    for (const window of [a, b]) {
      await pageOf(window).bringToFront();
      await moveMouseAway(pageOf(window));
      await screenshot(window, 'tree');
      assert.deepEqual((await treeNames(window)).sort(), [window.proxy, USER_PROXY].sort(), `window ${window.label}’s tree`);
    }
  });

  it('gives each window’s connection the user proxy’s tools and its own workspace proxy’s, and not the other’s', async () => {
    const { token } = await discovery();
    for (const window of [a, b]) {
      const connection = await windowConnection(window);
      connections.set(window, connection);
      assert.match(connection.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/w/[A-Za-z0-9_-]{22}/mcp$`));
      assert.equal(connection.token, token, 'the shared switchboard’s token, from its discovery file');
      const other = window === a ? b : a;
      const tools = await toolNames(await connectTo(connection));
      for (const tool of [`${USER_PROXY}_echo`, `${window.proxy}_echo`]) assert.ok(tools.includes(tool), `window ${window.label} gets ${tool}: ${tools.join(', ')}`);
      assert.deepEqual(tools.filter((tool) => tool.startsWith(`${other.proxy}_`)), [], `window ${window.label} gets none of ${other.proxy}’s tools`);
    }
    assert.notEqual(connections.get(a)?.url, connections.get(b)?.url, 'each window has a view of its own');
  });

  it('keeps every backend process through a reload of window A (Developer: Reload Window)', async () => {
    const before = { switchboard: (await discovery()).pid, user: userBackends(), alpha: workspaceBackends(a), beta: workspaceBackends(b) };
    const windowId = /\/w\/([^/]+)\/mcp$/.exec(connections.get(a)?.url ?? '')?.[1];
    assert.ok(windowId);
    const log = userFiles(bed.profile.env).log;
    const wentAway = () => (existsSync(log) ? readFileSync(log, 'utf8').split(`VS Code window ${windowId} went away`).length - 1 : 0);
    const awayBefore = wentAway();

    const page = pageOf(a);
    await page.bringToFront();
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), runCommand(page, 'Developer: Reload Window')]);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await showProxies(a);
    // The reloaded window's extension host is a new one: the switchboard saw the old one go.
    assert.equal(wentAway(), awayBefore + 1, `the switchboard’s log says window ${windowId} went away once more`);
    await moveMouseAway(page);
    await screenshot(a, 'after-reload');

    assert.deepEqual({ switchboard: (await discovery()).pid, user: userBackends(), alpha: workspaceBackends(a), beta: workspaceBackends(b) }, before);
    const client = await connectTo(connections.get(a)!);
    assert.equal(await echo(client, `${a.proxy}_echo`, 'after the reload'), 'Echo: after the reload');
  });

  it('after code-server restarts, the URL and token Copy Connection Config gave for "this window" still list and call tools', async () => {
    const connection = connections.get(a);
    assert.ok(connection);
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await browser.close();
    a.page = b.page = undefined;
    const old = await discovery();
    bed = await restartCodeServer(teardown, bed, 2);
    // The detached switchboard outlives code-server (its windows' views wait
    // out their grace); it is ended here as its idle end would, so the window
    // must start a new one that serves the same URL with the same token.
    assert.ok(isAlive(old.pid), 'the shared switchboard outlived code-server');
    process.kill(old.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while ((isAlive(old.pid) || userBackends().length > 0 || workspaceBackends(a).length > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(!isAlive(old.pid), 'the old shared switchboard ended');
    assert.deepEqual([...userBackends(), ...workspaceBackends(a), ...workspaceBackends(b)], [], 'its backends ended with it');

    browser = await newWorkbenchContext(bed.browser);
    await openWindow(a);
    await moveMouseAway(pageOf(a));
    await screenshot(a, 'after-restart');
    const now = await discovery();
    assert.notEqual(now.pid, old.pid, 'a new shared switchboard, started by the window');

    const client = await connectTo(connection);
    const tools = await toolNames(client);
    for (const tool of [`${USER_PROXY}_echo`, `${a.proxy}_echo`]) assert.ok(tools.includes(tool), `${tool} through the copied config: ${tools.join(', ')}`);
    assert.equal(await echo(client, `${a.proxy}_echo`, 'after the restart'), 'Echo: after the restart');
    assert.equal(await echo(client, `${USER_PROXY}_echo`, 'user proxy'), 'Echo: user proxy');
  });

  it('leaves no process of the profile running once the bed is stopped, the detached switchboard included', async () => {
    const { pid } = await discovery();
    const home = bed.profile.env.HOME ?? '';
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await teardown.run();
    assert.ok(!isAlive(pid), 'the shared switchboard ended');
    assert.deepEqual(processesOfHome(home), [], 'nothing runs with the profile’s HOME');
    assert.deepEqual([...userBackends(), ...workspaceBackends(a), ...workspaceBackends(b)], []);
  });
});
