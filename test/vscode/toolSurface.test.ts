import * as assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as vscode from 'vscode';
import { Command, ConfigKey } from '../../src/extension/constants';
import type { SwitchboardTestApi, TreeSnapshotItem } from '../../src/extension/testApi';
import {
  activateAndStartServer,
  everything,
  lmTool,
  pick,
  QuickInputRecorder,
  resetSettings,
  setSetting,
  startInVsCodeMcp,
  textOf,
  waitFor,
  waitForProxy,
  writeProxies,
} from './support';

/**
 * The tool surface from settings, through VS Code's own MCP client (Copilot's
 * path): mcpSwitchboard.toolSurface switches what vscode.lm.tools holds, live;
 * tools.pin keeps a tool listed; the tree shows pins, override problems and
 * profiles; Copy Connection Config gives a profile's URL, which serves it.
 */
describe('Tool surface: search mode, pins and profiles from settings, live', function () {
  this.timeout(180_000);
  let api: SwitchboardTestApi;
  /** The path of this window's MCP endpoint, which the tree shows profiles under. */
  const endpointPath = () => {
    const phase = api.phase();
    return phase.kind === 'running' ? new URL(phase.url).pathname : '(not running)';
  };
  let since: string;
  let processId: number | undefined;

  const surf = { ...everything, tools: { pin: ['echo'], overrides: { 'no-such-tool': { description: 'Never applied.' } } } };
  const status = () => api.statuses().find((candidate) => candidate.name === 'surf');
  const proxyItem = () => api.treeSnapshot().find((item) => item.label === 'surf');
  const toolItem = (tool: string) => proxyItem()?.children.find((group) => group.label === 'Tools')?.children.find((item) => item.label === tool);
  const profilesItem = () => api.treeSnapshot().find((item) => item.label === 'Profiles');
  const searching = () => lmTool('search_tools') !== undefined && lmTool('call_tool') !== undefined && lmTool('surf_get-sum') === undefined;
  const listingAll = () => lmTool('surf_get-sum') !== undefined && lmTool('search_tools') === undefined && lmTool('call_tool') === undefined;
  const invoke = async (tool: string, input: object) => {
    const found = await waitFor(`${tool} in vscode.lm.tools`, () => lmTool(tool));
    return textOf(await vscode.lm.invokeTool(found.name, { input, toolInvocationToken: undefined }));
  };
  /** The proxy kept its connection and the switchboard its process: a surface change is applied, not restarted. */
  const assertNoReconnect = () => {
    assert.equal(status()?.since, since, 'the proxy stayed connected');
    assert.equal(api.serverProcessId(), processId, 'the same server process');
  };

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    await writeProxies('user', { surf });
    since = (await waitForProxy(api, 'surf', 'connected')).since;
    processId = api.serverProcessId();
    await startInVsCodeMcp();
    await waitFor('surf_get-sum in vscode.lm.tools', () => lmTool('surf_get-sum'));
  });
  after(resetSettings);

  it('search mode: search_tools and call_tool appear and the proxied tools go, live; the pinned tool and the management tools stay', async () => {
    assert.ok(listingAll(), 'all tools are listed by default');
    await setSetting(ConfigKey.toolSurface, 'search');
    await waitFor('search_tools and call_tool instead of the proxied tools', searching);
    assert.ok(lmTool('surf_echo'), 'the pinned tool stays listed');
    assert.ok(lmTool('list_proxies') && lmTool('add_proxy'), 'the management tools stay listed');
    assert.equal(lmTool('surf_get-env'), undefined);
    const bar = await waitFor('the status bar to say search', () => / · search$/.test(api.statusBarSnapshot().text) && api.statusBarSnapshot());
    assert.match(bar.tooltip ?? '', /Clients are listed 6 tools and find the others by search \(`mcpSwitchboard.toolSurface`: search\)/, bar.tooltip);
    assertNoReconnect();
  });

  it('search_tools finds an unlisted tool and call_tool calls it', async () => {
    const found = await invoke('search_tools', { query: 'add two numbers', limit: 3 });
    assert.match(found, /surf_get-sum/, found);
    const sum = await invoke('call_tool', { name: 'surf_get-sum', arguments: { a: 2, b: 3 } });
    assert.match(sum, /\b5\b/, sum);
  });

  it('back to all: the proxied tools return and the search tools go, live', async () => {
    await setSetting(ConfigKey.toolSurface, undefined);
    await waitFor('the proxied tools back, the search tools gone', listingAll);
    assert.doesNotMatch(api.statusBarSnapshot().text, /search/);
    assertNoReconnect();
  });

  it('auto searches above mcpSwitchboard.toolSurfaceThreshold and lists all below it', async () => {
    await setSetting(ConfigKey.toolSurfaceThreshold, 5);
    await setSetting(ConfigKey.toolSurface, 'auto');
    await waitFor('auto over a threshold of 5 to search', searching);
    await setSetting(ConfigKey.toolSurfaceThreshold, 1000);
    await waitFor('auto under a threshold of 1000 to list all', listingAll);
    await setSetting(ConfigKey.toolSurface, undefined);
    await setSetting(ConfigKey.toolSurfaceThreshold, undefined);
    assertNoReconnect();
  });

  it('a pin added in settings applies live: the tool shows in search mode, and the tree marks it', async () => {
    await setSetting(ConfigKey.toolSurface, 'search');
    await waitFor('search mode', searching);
    assert.equal(lmTool('surf_get-sum'), undefined);
    await writeProxies('user', { surf: { ...surf, tools: { ...surf.tools, pin: ['echo', 'get-sum'] } } });
    await waitFor('surf_get-sum pinned into the search surface', () => lmTool('surf_get-sum') && lmTool('search_tools'));
    await waitFor('the tree to mark get-sum pinned', () => toolItem('get-sum')?.icon === 'pinned');
    const echo = toolItem('echo');
    assert.equal(echo?.icon, 'pinned');
    assert.equal(echo?.description, 'pinned · surf_echo');
    assert.match(echo?.tooltip ?? '', /Pinned \(`tools\.pin`\)/);
    assert.equal(toolItem('get-env')?.icon, undefined);
    assert.equal(toolItem('get-env')?.description, 'surf_get-env');
    assertNoReconnect();
    await writeProxies('user', { surf });
    await setSetting(ConfigKey.toolSurface, undefined);
    await waitFor('all tools again', listingAll);
  });

  it("shows a proxy's override problems on its row and in its tooltip", async () => {
    const problems = await waitFor('the override problem in the status', () => status()?.problems);
    assert.deepEqual(problems, ['tools.overrides has "no-such-tool", which the proxy does not offer.']);
    const row = proxyItem();
    assert.match(row?.description ?? '', /^stdio · \d+ tools · problem: tools\.overrides has "no-such-tool", .+ · user$/, row?.description);
    assert.match(row?.tooltip ?? '', /Not applied as written:\n\n- tools\.overrides has "no-such-tool", which the proxy does not offer\./, row?.tooltip);
  });

  it('shows the profiles with their surface and path; one that does not parse says why', async () => {
    assert.equal(profilesItem(), undefined, 'no Profiles node without profiles');
    await setSetting(ConfigKey.profiles, { review: { include: ['surf_echo', 'surf_get-sum'] }, finder: { surface: 'search' }, broken: { surface: 'sometimes' } });
    const node = await waitFor('the Profiles node', () => profilesItem()?.children.length === 3 && profilesItem());
    assert.equal(node.description, '3');
    const byName = (name: string): TreeSnapshotItem | undefined => node.children.find((item) => item.label === name);
    assert.equal(byName('review')?.description, `all tools · ${endpointPath()}/review`);
    assert.equal(byName('review')?.contextValue, 'profile');
    assert.match(byName('review')?.tooltip ?? '', new RegExp(`served at \`http://127\\.0\\.0\\.1:\\d+${endpointPath()}/review\`[\\s\\S]*Include: \`surf_echo\`, \`surf_get-sum\``));
    assert.equal(byName('finder')?.description, `search · ${endpointPath()}/finder`);
    assert.equal(byName('broken')?.icon, 'warning');
    assert.match(byName('broken')?.description ?? '', /^invalid: /);
    assert.match(byName('broken')?.tooltip ?? '', /not served/);
    // The profile takes the global surface when it has none of its own.
    await setSetting(ConfigKey.toolSurface, 'search');
    await waitFor('review to follow mcpSwitchboard.toolSurface', () => profilesItem()?.children.find((item) => item.label === 'review')?.description === `search · ${endpointPath()}/review`);
    await setSetting(ConfigKey.toolSurface, undefined);
  });

  it("Copy Connection Config offers the profiles; a profile's snippet uses <url>/<profile>, which serves only its tools", async () => {
    const url = await api.whenServerReady();
    const inputs = new QuickInputRecorder(api);
    try {
      // From the palette with the client chosen: the second step lists all tools and each valid profile.
      const copying = vscode.commands.executeCommand(Command.copyConnectionConfig, 'cursorWindow');
      const targets = await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>();
      assert.deepEqual(targets.items.map((item) => item.label), ['All tools', 'review', 'finder']);
      await pick(targets, 'review');
      await copying;
      const cursor = JSON.parse(await vscode.env.clipboard.readText()) as { mcpServers: Record<string, { url: string; headers: { Authorization: string } }> };
      const entry = cursor.mcpServers['switchboard-review'];
      assert.equal(entry?.url, `${url}/review`);

      // From the profile's row: only the client is asked.
      const fromRow = vscode.commands.executeCommand(Command.copyConnectionConfig, { kind: 'profile', profile: 'finder' });
      await pick(await inputs.next<vscode.QuickPick<vscode.QuickPickItem>>(), 'Claude Code, this window');
      await fromRow;
      assert.match(await vscode.env.clipboard.readText(), new RegExp(`^claude mcp add --transport http switchboard-finder ${url}/finder --header "Authorization: Bearer `));

      // The copied URL and token reach the profile: only its tools are listed.
      const client = new Client({ name: 'profile-snippet', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: { Authorization: entry.headers.Authorization } } }));
      try {
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((tool) => tool.name).sort(), ['surf_echo', 'surf_get-sum']);
      } finally {
        await client.close();
      }
    } finally {
      inputs.dispose();
    }
  });

  it('the settings file validates and completes the profiles, tools.pin and tools.overrides', async () => {
    await setSetting(ConfigKey.profiles, { finder: { surface: 'search' }, 'bad name!': { surface: 'sometimes' } });
    await writeProxies('user', { surf: { ...surf, tools: { pin: ['echo'], overrides: { echo: { name: 'not a name' } } } } });
    await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    const document = await waitFor('the user settings file', () => vscode.window.activeTextEditor?.document);
    const expected = ['A profile name is 1–32 letters, digits, "_" and "-".', 'A tool name is 1–46 letters, digits, "_" and "-".'];
    const messages = await waitFor('the JSON language server to check the new settings', () => {
      const found = vscode.languages.getDiagnostics(document.uri).map((diagnostic) => diagnostic.message);
      return expected.every((message) => found.includes(message)) && found;
    });
    assert.ok(messages.some((message) => /"all", "search", "auto"/.test(message)), messages.join('\n'));

    const inFinder = document.positionAt(document.getText().indexOf('"finder": {') + '"finder": {'.length);
    const completions = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, inFinder);
    const labels = completions.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label).replace(/"/g, ''));
    for (const key of ['include', 'exclude']) assert.ok(labels.includes(key), `completes "${key}" in a profile: ${labels.join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
