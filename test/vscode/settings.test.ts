import * as assert from 'node:assert/strict';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import { activateExtension, everything, proxiesIn, resetSettings, waitFor, waitForProxy, waitForProxyGone, writeProxies } from './support';

describe('Settings are the registry: hand edits apply live', function () {
  this.timeout(90_000);
  let api: SwitchboardTestApi;

  before(async () => {
    api = await activateExtension();
    await resetSettings();
  });
  after(resetSettings);

  it('mounts a proxy written into user settings, with its tools in the tree', async () => {
    await writeProxies('user', { hand: everything });
    const status = await waitForProxy(api, 'hand', 'connected');
    assert.equal(status.scope, 'user');
    assert.ok(status.tools.some((tool) => tool.frontName === 'hand_echo'));
    const item = await waitFor('"hand" in the tree', () => api.treeSnapshot().find((candidate) => candidate.label === 'hand' && candidate.icon === 'pass-filled'));
    assert.equal(item.contextValue, 'proxy.enabled');
    assert.match(item.tooltip ?? '', /Saved in: user settings/);
  });

  it('applies a tools.exclude edit: the tool is hidden and its checkbox unticked', async () => {
    await writeProxies('user', { hand: { ...everything, tools: { exclude: ['echo'] } } });
    await waitFor('echo to be excluded', () => api.statuses().find((status) => status.name === 'hand')?.tools.find((tool) => tool.name === 'echo' && tool.excluded));
    const tools = api.treeSnapshot().find((item) => item.label === 'hand')?.children.find((group) => group.label === 'Tools')?.children ?? [];
    assert.equal(tools.find((tool) => tool.label === 'echo')?.checked, false);
    assert.ok(tools.some((tool) => tool.checked === true), 'the other tools stay ticked');
  });

  it('lets a workspace entry override the user entry of the same name', async () => {
    await writeProxies('workspace', { hand: { ...everything, enabled: false } });
    await waitForProxy(api, 'hand', 'disabled');
    const item = await waitFor('"hand" disabled in the tree', () =>
      api.treeSnapshot().find((candidate) => candidate.label === 'hand' && candidate.contextValue === 'proxy.disabled'),
    );
    assert.match(item.description ?? '', /disabled · workspace$/);
    assert.match(item.tooltip ?? '', /hides the user entry/);
    await writeProxies('workspace', undefined);
    await waitForProxy(api, 'hand', 'connected');
  });

  it('moves an unchanged entry to workspace settings without reconnecting it, and reports its new scope', async () => {
    const before = await waitForProxy(api, 'hand', 'connected');
    await writeProxies('workspace', { hand: proxiesIn('user').hand });
    const moved = await waitFor('"hand" reported in workspace scope', () => api.statuses().find((status) => status.name === 'hand' && status.scope === 'workspace'));
    assert.equal(moved.state, 'connected');
    assert.equal(moved.since, before.since, 'the backend kept its connection');
    await writeProxies('workspace', undefined);
    await waitFor('"hand" back in user scope', () => api.statuses().find((status) => status.name === 'hand' && status.scope === 'user'));
  });

  it('shows an entry that does not parse, with the reason, and does not mount it', async () => {
    await writeProxies('user', { hand: everything, broken: { url: 'ftp://example.com/mcp' } });
    const item = await waitFor('"broken" in the tree', () => api.treeSnapshot().find((candidate) => candidate.label === 'broken'));
    assert.equal(item.contextValue, 'proxy.invalid');
    assert.match(item.tooltip ?? '', /only http:\/\/ and https:\/\/ URLs are supported/);
    await waitForProxy(api, 'hand', 'connected');
    assert.ok(!api.statuses().some((status) => status.name === 'broken'), 'the server never got it');
  });

  it('unmounts a proxy deleted from settings and shows the empty view', async () => {
    await writeProxies('user', undefined);
    await waitForProxyGone(api, 'hand');
    await waitFor('an empty tree (the welcome view)', () => api.treeSnapshot().length === 0);
  });
});
