import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Command, EXTENSION_ID, MCP_PROVIDER_ID, PROXIES_VIEW_ID } from '../../src/extension/constants';
import { DEFAULT_SEARCH_THRESHOLD } from '../../src/core/surface/surfaceModes';
import { activateExtension } from './support';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    mcpServerDefinitionProviders: { id: string; label: string }[];
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { default?: unknown }> };
  };
  capabilities: { untrustedWorkspaces: { supported: unknown } };
}

describe('The manifest and the code agree', () => {
  let manifest: Manifest;
  before(async () => {
    await activateExtension();
    manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as Manifest;
  });

  it('contributes every command the code registers, and registers every command it contributes', async () => {
    const contributed = manifest.contributes.commands.map((command) => command.command).sort();
    assert.deepEqual(contributed, Object.values(Command).sort());
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of contributed) assert.ok(registered.has(id), `${id} is contributed but not registered`);
  });

  it('declares the MCP provider, the view, the settings and limited support for untrusted workspaces', () => {
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders, [{ id: MCP_PROVIDER_ID, label: 'MCP Switchboard' }]);
    assert.ok(Object.values(manifest.contributes.views).flat().some((view) => view.id === PROXIES_VIEW_ID));
    assert.deepEqual(manifest.contributes.configuration.properties['mcpSwitchboard.proxies']?.default, {});
    assert.equal(manifest.contributes.configuration.properties['mcpSwitchboard.agentCanAddProxies']?.default, 'ask');
    assert.equal(manifest.contributes.configuration.properties['mcpSwitchboard.toolSurface']?.default, 'all');
    assert.equal(manifest.contributes.configuration.properties['mcpSwitchboard.toolSurfaceThreshold']?.default, DEFAULT_SEARCH_THRESHOLD);
    assert.deepEqual(manifest.contributes.configuration.properties['mcpSwitchboard.profiles']?.default, {});
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
