import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COPILOT_TOOL_LIMIT, PROXIES_VIEW_ID } from '../../src/extension/constants';
import type { StatusBarSnapshot, SwitchboardTestApi } from '../../src/extension/testApi';
import { activateAndStartServer, everything, resetSettings, waitFor, waitForProxy, writeProxies } from './support';

const WARNING_BACKGROUND = 'statusBarItem.warningBackground';

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

  it('shows connected/total proxies and the tools clients see', async () => {
    await writeProxies('user', { counted: everything });
    toolsOfOne = (await waitForProxy(api, 'counted', 'connected')).toolCount;
    const bar = await statusBarShowing(`$(plug) 1/1 · ${toolsOfOne} tools`);
    assert.equal(bar.background, undefined);
    assert.match(bar.tooltip ?? '', new RegExp(`1 of 1 proxies connected, ${toolsOfOne} tools\\.`));
    assert.doesNotMatch(bar.tooltip ?? '', /Failing/);
  });

  it('turns to a warning naming the failing proxy when one cannot start', async () => {
    await writeProxies('user', { counted: everything, broken: { command: '/nonexistent/mcp-switchboard-test-server' } });
    await waitForProxy(api, 'broken', 'error');
    const bar = await statusBarShowing(`$(plug) 1/2 · ${toolsOfOne} tools`);
    assert.equal(bar.background, WARNING_BACKGROUND);
    assert.match(bar.tooltip ?? '', /Failing: broken\. \[Show logs\]\(command:mcpSwitchboard\.showLogs\)/);

    await writeProxies('user', { counted: everything });
    const recovered = await statusBarShowing(`$(plug) 1/1 · ${toolsOfOne} tools`);
    assert.equal(recovered.background, undefined, 'the warning goes with the failing proxy');
  });

  it(`warns when the tools exceed the ${COPILOT_TOOL_LIMIT} Copilot sends per request, with a link to the tool checkboxes`, async () => {
    const copies = Math.floor(COPILOT_TOOL_LIMIT / toolsOfOne) + 1;
    const names = Array.from({ length: copies }, (_, index) => `copy${index + 1}`);
    await writeProxies('user', Object.fromEntries(names.map((name) => [name, everything])));
    for (const name of names) await waitForProxy(api, name, 'connected', 60_000);

    const total = copies * toolsOfOne;
    assert.ok(total > COPILOT_TOOL_LIMIT);
    const bar = await statusBarShowing(`$(plug) ${copies}/${copies} · ${total} tools $(warning)`);
    assert.ok(
      bar.tooltip?.includes(`${total} tools is more than the ${COPILOT_TOOL_LIMIT} Copilot sends per request, so some will be left out.`),
      bar.tooltip,
    );
    const link = `command:${PROXIES_VIEW_ID}.focus`;
    assert.ok(bar.tooltip?.includes(`[Untick tools you do not need](${link})`), bar.tooltip);
    assert.ok((await vscode.commands.getCommands(true)).includes(`${PROXIES_VIEW_ID}.focus`), 'the link runs a command VS Code has');
  });
});
