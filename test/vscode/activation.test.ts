import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, MCP_PROVIDER_ID } from '../../src/extension/constants';

/** The smoke test of the bed: the extension under test is there, activates, and offers its MCP server. */
describe('Activation', () => {
  it('activates in this VS Code', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it(`contributes the MCP server definition provider ${MCP_PROVIDER_ID}`, () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes?: { mcpServerDefinitionProviders?: { id: string }[] };
    };
    const ids = manifest.contributes?.mcpServerDefinitionProviders?.map((provider) => provider.id);
    assert.deepEqual(ids, [MCP_PROVIDER_ID]);
  });

  it('runs from the installed .vsix, not from the source tree', function () {
    // Only the code-server bed installs the package; test-electron runs the
    // extension from the repository folder.
    if (process.env.MCP_SWITCHBOARD_TEST_PACKAGED !== '1') this.skip();
    const root = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';
    assert.ok(existsSync(join(root, 'dist', 'extension.js')), `no dist/extension.js in ${root}`);
    assert.ok(existsSync(join(root, 'dist', 'server.js')), `no dist/server.js in ${root}`);
    assert.ok(!existsSync(join(root, 'src')), `${root} holds the sources: this is not the packaged extension`);
    assert.ok(!existsSync(join(root, 'node_modules')), `${root} holds node_modules: the .vsix should need none`);
  });
});
