import * as assert from 'node:assert/strict';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import { activateAndStartServer, everything, lmTool, proxiesIn, resetSettings, startInVsCodeMcp, waitFor, waitForProxy, writeProxies } from './support';

/**
 * A click on a tool's checkbox cannot be simulated from the extension host, so
 * the test API hands the tree's own checkbox handler the tool node a click
 * would; settings, server and VS Code's MCP client are real.
 */
describe('Tool checkboxes in the tree write tools.exclude', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;
  let allTools: number;
  let connectedSince: string;

  const status = () => api.statuses().find((candidate) => candidate.name === 'boxes');
  /** A filter change re-filters the catalog without reconnecting: the proxy stays connected, with this many tools shown. */
  const connectedWith = (toolCount: number) =>
    waitFor(`"boxes" connected with ${toolCount} tools`, () => status()?.state === 'connected' && status()?.toolCount === toolCount && status());
  const proxyItem = () => api.treeSnapshot().find((item) => item.label === 'boxes');
  const toolsGroup = () => proxyItem()?.children.find((group) => group.label === 'Tools');
  const toolItem = (tool: string) => toolsGroup()?.children.find((item) => item.label === tool);

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    await writeProxies('user', { boxes: everything });
    const connected = await waitForProxy(api, 'boxes', 'connected');
    allTools = connected.toolCount;
    connectedSince = connected.since;
    await startInVsCodeMcp();
    await waitFor('boxes_echo in vscode.lm.tools', () => lmTool('boxes_echo'));
  });
  after(resetSettings);

  it('unticking tools adds their names to tools.exclude, and clients stop seeing them', async () => {
    await api.setToolChecked('boxes', 'echo', false);
    assert.deepEqual(proxiesIn('user').boxes, { ...everything, tools: { exclude: ['echo'] } });
    await connectedWith(allTools - 1);
    await api.setToolChecked('boxes', 'get-sum', false);
    assert.deepEqual(proxiesIn('user').boxes, { ...everything, tools: { exclude: ['echo', 'get-sum'] } });

    const hidden = await connectedWith(allTools - 2);
    assert.deepEqual(hidden.tools.filter((tool) => tool.excluded).map((tool) => tool.name).sort(), ['echo', 'get-sum']);
    assert.equal(hidden.since, connectedSince, 'the proxy stayed connected: no reconnect for a filter change');
    assert.equal(toolItem('echo')?.checked, false);
    assert.equal(toolItem('echo')?.description, 'hidden');
    // The row and its Tools group count the same way.
    assert.equal(proxyItem()?.description, `stdio · ${allTools - 2} of ${allTools} tools · user`);
    assert.equal(toolsGroup()?.description, `${allTools - 2} of ${allTools} shown`);
    await waitFor('boxes_echo to leave vscode.lm.tools', () => !lmTool('boxes_echo'));
    await waitFor('the ticked boxes_get-env in vscode.lm.tools', () => lmTool('boxes_get-env'));
  });

  it('ticking them again takes them out of tools.exclude, and the entry loses its tools key', async () => {
    await api.setToolChecked('boxes', 'echo', true);
    assert.deepEqual(proxiesIn('user').boxes, { ...everything, tools: { exclude: ['get-sum'] } });
    await connectedWith(allTools - 1);
    await api.setToolChecked('boxes', 'get-sum', true);
    assert.deepEqual(proxiesIn('user').boxes, everything);

    const shown = await connectedWith(allTools);
    assert.equal(shown.since, connectedSince, 'still the same connection');
    assert.equal(proxyItem()?.description, `stdio · ${allTools} tools · user`);
    assert.equal(toolsGroup()?.description, String(allTools));
    assert.equal(toolItem('echo')?.checked, true);
    assert.equal(toolItem('echo')?.description, 'boxes_echo');
    await waitFor('boxes_echo back in vscode.lm.tools', () => lmTool('boxes_echo'));
  });
});
