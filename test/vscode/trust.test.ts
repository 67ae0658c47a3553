import * as assert from 'node:assert/strict';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import { activateExtension, everything, resetSettings, waitFor, waitForProxy, writeProxies } from './support';

/**
 * The test bed runs VS Code with workspace trust turned off, so these tests
 * simulate an untrusted workspace through the test API; everything after that
 * (registry, server, backends, tree) is real.
 */
describe('An untrusted workspace (trust simulated) cannot run commands from its settings', function () {
  this.timeout(90_000);
  let api: SwitchboardTestApi;

  before(async () => {
    api = await activateExtension();
    await resetSettings();
    api.simulateWorkspaceTrust(false);
  });
  after(async () => {
    api.simulateWorkspaceTrust(undefined);
    await resetSettings();
  });

  it('blocks workspace command proxies and workspace proxies that use secrets, and says why', async () => {
    await writeProxies('user', { mine: everything });
    await writeProxies('workspace', {
      'from-folder': everything,
      'remote-ok': { url: 'http://127.0.0.1:9/mcp' },
      'wants-secret': { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer ${secret:token}' } },
    });
    await waitForProxy(api, 'mine', 'connected');
    const blocked = await waitForProxy(api, 'from-folder', 'disabled');
    assert.match(blocked.error ?? '', /this workspace is not trusted, and its settings may not run commands/);
    assert.match((await waitForProxy(api, 'wants-secret', 'disabled')).error ?? '', /may not use your secrets or environment/);
    await waitForProxy(api, 'remote-ok', 'error');

    const item = await waitFor('the blocked item in the tree', () => api.treeSnapshot().find((candidate) => candidate.label === 'from-folder'));
    assert.equal(item.icon, 'workspace-untrusted');
    assert.match(item.description ?? '', /blocked · workspace$/);
    assert.match(item.tooltip ?? '', /Trust the workspace to start it/);
  });

  it('starts them once trust is granted', async () => {
    api.simulateWorkspaceTrust(true);
    const status = await waitForProxy(api, 'from-folder', 'connected');
    assert.ok(status.toolCount > 0);
  });
});
