import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/constants';
import { activateAndStartServer, everything, NODE, resetSettings, userSettingsPath, waitFor, writeProxies } from './support';

describe('Copy Connection Config for Claude Desktop: connect, which outlives VS Code', function () {
  this.timeout(120_000);
  let home: string;
  let client: Client | undefined;

  before(async () => {
    await activateAndStartServer();
    await resetSettings();
    home = mkdtempSync(join(tmpdir(), 'switchboard-connect-'));
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    // The user's switchboard that connect started ends by itself after its grace; this test does not wait for that.
    try {
      const { pid } = JSON.parse(readFileSync(join(home, 'run', 'mcp-switchboard', 'switchboard.json'), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGTERM');
    } catch {
      // Not started, or gone already.
    }
    await resetSettings();
    rmSync(home, { recursive: true, force: true });
  });

  it('copies a stdio config that runs the user settings’ proxies, as Claude Desktop would start it', async () => {
    await writeProxies('user', { shared: everything });
    await vscode.commands.executeCommand(Command.copyConnectionConfig, 'claudeDesktop');
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as { mcpServers: { switchboard: { command: string; args: string[] } } };
    const { command, args } = copied.mcpServers.switchboard;
    assert.equal(command, 'node');
    assert.equal(args[1], 'connect');
    assert.match(args[0] ?? '', /mcp-switchboard-cli\.js$/);
    assert.doesNotMatch(args[0] ?? '', /extensions/, 'a copy outside the extension folder, which moves with each update');
    assert.ok(existsSync(join(dirname(args[0] ?? ''), 'undici.js')), 'the fetch of url proxies beside it, which the CLI loads from there');

    // As Claude Desktop runs it; --vscode-settings because this profile's settings are not where VS Code keeps them by default.
    const env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: join(home, 'config'), XDG_RUNTIME_DIR: join(home, 'run') };
    client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    const port = String(40_000 + Math.floor(Math.random() * 9_000));
    await client.connect(new StdioClientTransport({ command: NODE, args: [...args, '--vscode-settings', await userSettingsPath(), '--port', port], env }));
    await waitFor('shared_echo through connect', async () => (await client!.listTools()).tools.some((tool) => tool.name === 'shared_echo'));
    const result = (await client.callTool({ name: 'shared_echo', arguments: { message: 'from Claude' } })) as { content: { text: string }[] };
    assert.equal(result.content[0]?.text, 'Echo: from Claude');
  });
});
