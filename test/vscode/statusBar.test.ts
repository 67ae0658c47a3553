import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Command, COPILOT_TOOL_LIMIT, MANAGEMENT_TOOL_NAMES, PROXIES_VIEW_ID } from '../../src/extension/constants';
import type { StatusBarSnapshot, SwitchboardTestApi } from '../../src/extension/testApi';
import { activateAndStartServer, everything, lmTool, resetSettings, startInVsCodeMcp, waitFor, waitForProxy, writeProxies } from './support';

const WARNING_BACKGROUND = 'statusBarItem.warningBackground';
const OWN_TOOLS = MANAGEMENT_TOOL_NAMES.length;

/** A label a screen reader can say: words, no markdown, no codicon names. */
function assertPlainLabel(bar: StatusBarSnapshot): void {
  assert.ok(bar.accessibilityLabel, 'the item has an accessibility label');
  assert.doesNotMatch(bar.accessibilityLabel, /\$\(|\*\*|\[|`/, bar.accessibilityLabel);
}

describe('The status bar sums up the proxies', function () {
  this.timeout(180_000);
  let api: SwitchboardTestApi;
  let toolsOfOne: number;

  const statusBarShowing = (text: string): Promise<StatusBarSnapshot> =>
    waitFor(`the status bar to read "${text}" (now: "${api.statusBarSnapshot().text}")`, () => api.statusBarSnapshot().text === text && api.statusBarSnapshot());

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
  });
  after(resetSettings);

  it('shows from activation, with no proxies, in words a newcomer understands, and opens the view that offers to add one', async () => {
    const bar = await statusBarShowing('$(plug) No MCP servers');
    assert.equal(bar.command, `${PROXIES_VIEW_ID}.focus`);
    assert.equal(bar.accessibilityLabel, 'MCP Switchboard: no MCP servers are mounted yet. Opens the Proxies view to add one.');
    assert.ok(bar.tooltip?.includes(`[Add a proxy](command:${Command.addProxy})`), bar.tooltip);
    assert.ok(bar.tooltip?.includes(`[import your servers](command:${Command.importServers})`), bar.tooltip);
  });

  it('shows connected proxies of all in settings and the tools clients see, the switchboard’s own included', async () => {
    await writeProxies('user', { counted: everything });
    toolsOfOne = (await waitForProxy(api, 'counted', 'connected')).toolCount;
    const seen = toolsOfOne + OWN_TOOLS;
    const bar = await statusBarShowing(`$(plug) 1/1 connected · ${seen} tools`);
    assert.equal(bar.background, undefined);
    assert.equal(bar.command, Command.listProxies);
    assert.match(bar.tooltip ?? '', /1 of 1 proxy connected\./);
    assert.ok(
      bar.tooltip?.includes(`Clients see ${seen} tools: ${toolsOfOne} from the connected proxies and the switchboard's own ${OWN_TOOLS} (\`add_proxy\`, \`list_proxies\`, \`remove_proxy\`).`),
      bar.tooltip,
    );
    assert.doesNotMatch(bar.tooltip ?? '', /Failing/);
    assert.equal(bar.accessibilityLabel, `MCP Switchboard: 1 proxy in settings, 1 connected; clients see ${seen} tools. Lists the proxies.`);
  });

  it("counts the tools VS Code's MCP client discovers", async () => {
    await startInVsCodeMcp();
    // VS Code names each tool mcp_<server>_<tool>: the prefix is whatever precedes its name for list_proxies.
    const listTool = await waitFor('list_proxies in vscode.lm.tools', () => lmTool('list_proxies'));
    const prefix = listTool.name.slice(0, -'list_proxies'.length);
    const fromVsCode = () => vscode.lm.tools.filter((tool) => tool.name.startsWith(prefix)).length;
    await waitFor(`VS Code to list ${toolsOfOne + OWN_TOOLS} switchboard tools (now ${fromVsCode()})`, () => fromVsCode() === toolsOfOne + OWN_TOOLS);
    assert.equal(api.statusBarSnapshot().text, `$(plug) 1/1 connected · ${fromVsCode()} tools`);
  });

  it('counts every entry in settings alike: a disabled proxy and an invalid entry are both in the total, and the tooltip says which is which', async () => {
    await writeProxies('user', { counted: everything, resting: { ...everything, enabled: false }, nothing: {} });
    const bar = await statusBarShowing(`$(plug) 1/3 connected · ${toolsOfOne + OWN_TOOLS} tools`);
    assert.match(bar.tooltip ?? '', /3 proxies in settings: 1 connected, 1 disabled, 1 with invalid settings\./);
    assert.match(bar.tooltip ?? '', /Failing: nothing\./);
    assert.equal(bar.background, WARNING_BACKGROUND, 'an invalid entry is a problem to fix');
    assert.equal(
      bar.accessibilityLabel,
      `MCP Switchboard: 3 proxies in settings, 1 connected, 1 disabled, 1 with invalid settings; clients see ${toolsOfOne + OWN_TOOLS} tools; failing: nothing. Lists the proxies.`,
    );
  });

  it('turns to a warning naming the failing proxy when one cannot start', async () => {
    await writeProxies('user', { counted: everything, broken: { command: '/nonexistent/mcp-switchboard-test-server' } });
    await waitForProxy(api, 'broken', 'error');
    const bar = await statusBarShowing(`$(plug) 1/2 connected · ${toolsOfOne + OWN_TOOLS} tools`);
    assert.equal(bar.background, WARNING_BACKGROUND);
    assert.match(bar.tooltip ?? '', /Failing: broken\. \[Show logs\]\(command:mcpSwitchboard\.showLogs\)/);
    assertPlainLabel(bar);
    assert.match(bar.accessibilityLabel ?? '', /failing: broken/);

    await writeProxies('user', { counted: everything });
    const recovered = await statusBarShowing(`$(plug) 1/1 connected · ${toolsOfOne + OWN_TOOLS} tools`);
    assert.equal(recovered.background, undefined, 'the warning goes with the failing proxy');
  });

  it(`warns when the tools exceed the ${COPILOT_TOOL_LIMIT} Copilot sends per request, with a link to the tool checkboxes`, async () => {
    const copies = Math.floor(COPILOT_TOOL_LIMIT / toolsOfOne) + 1;
    const names = Array.from({ length: copies }, (_, index) => `copy${index + 1}`);
    await writeProxies('user', Object.fromEntries(names.map((name) => [name, everything])));
    for (const name of names) await waitForProxy(api, name, 'connected', 60_000);

    const total = copies * toolsOfOne + OWN_TOOLS;
    assert.ok(total > COPILOT_TOOL_LIMIT);
    const bar = await statusBarShowing(`$(plug) ${copies}/${copies} connected · ${total} tools $(warning)`);
    assert.ok(
      bar.tooltip?.includes(`${total} tools is more than the ${COPILOT_TOOL_LIMIT} Copilot sends per request, so some will be left out.`),
      bar.tooltip,
    );
    const link = `command:${PROXIES_VIEW_ID}.focus`;
    assert.ok(bar.tooltip?.includes(`[Untick tools you do not need](${link})`), bar.tooltip);
    assert.ok((await vscode.commands.getCommands(true)).includes(`${PROXIES_VIEW_ID}.focus`), 'the link runs a command VS Code has');
    assertPlainLabel(bar);
    assert.match(bar.accessibilityLabel ?? '', new RegExp(`more tools than the ${COPILOT_TOOL_LIMIT} Copilot sends per request`));
  });
});
