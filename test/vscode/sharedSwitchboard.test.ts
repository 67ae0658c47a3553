import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as vscode from 'vscode';
import { readDiscovery } from '../../src/core/user/discovery';
import { userFiles } from '../../src/core/user/userFiles';
import { CONFIG_SECTION, Command, ConfigKey } from '../../src/extension/constants';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import {
  activateAndStartServer,
  everything,
  EVERYTHING,
  isAlive,
  lmTool,
  NODE,
  resetSettings,
  setSetting,
  startInVsCodeMcp,
  textOf,
  useDefaultSwitchboard,
  useOwnSwitchboard,
  userSettingsPath,
  waitFor,
  waitForProxy,
  waitForProxyGone,
  writeProxies,
} from './support';

/** A process's parent and session, from /proc (Linux, as the bed); the fields follow the command name in parentheses. */
function processOf(pid: number): { parent: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [, parent, , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(parent), session: Number(session) };
}

/** Ends the shared switchboard that runs, if any, and waits until it is gone. */
async function endSharedSwitchboard(): Promise<void> {
  const running = await readDiscovery(userFiles().discovery);
  if (!running || !isAlive(running.pid)) return;
  process.kill(running.pid, 'SIGTERM');
  await waitFor('the shared switchboard to end', () => !isAlive(running.pid));
}

/** The processes whose command line runs server-everything over stdio: one per backend. */
function everythingBackends(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.includes(EVERYTHING) && argv.includes('stdio');
      } catch {
        return false; // Ended meanwhile.
      }
    })
    .map(Number);
}

describe('A window on the user’s shared switchboard (mcpSwitchboard.sharedSwitchboard)', function () {
  this.timeout(180_000);
  let api: SwitchboardTestApi;
  let port: number;
  let client: Client | undefined;
  let sharedPid: number | undefined;

  /** The port the bed gave the shared switchboard, put back at the end. */
  let bedPort: unknown;

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    bedPort = vscode.workspace.getConfiguration(CONFIG_SECTION).inspect(ConfigKey.port)?.globalValue;
    // This suite starts from a window of its own and a shared switchboard it starts itself, on a port of its own.
    await useOwnSwitchboard(api);
    await endSharedSwitchboard();
    port = 40_000 + Math.floor(Math.random() * 9_000);
    await setSetting(ConfigKey.port, port);
    await writeProxies('user', { shared: everything });
    await waitForProxy(api, 'shared', 'connected');
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    await setSetting(ConfigKey.sharedSwitchboard, false);
    await waitFor('the window’s own switchboard', () => {
      const phase = api.phase();
      return phase.kind === 'running' && !phase.url.includes('/w/');
    });
    await endSharedSwitchboard();
    await setSetting(ConfigKey.port, bedPort);
    await resetSettings();
    await useDefaultSwitchboard(api);
  });

  it('attaches to a shared switchboard it starts, outside the extension host, when the setting is turned on', async () => {
    const ownPid = api.serverProcessId();
    assert.ok(ownPid !== undefined);
    await setSetting(ConfigKey.sharedSwitchboard, true);
    const url = await waitFor('the window’s view on the shared switchboard', () => {
      const phase = api.phase();
      return phase.kind === 'running' && phase.url.includes('/w/') && phase.url;
    });
    assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/w/[A-Za-z0-9_-]{22}/mcp$`));
    const discovery = await readDiscovery(userFiles().discovery);
    assert.ok(discovery, 'the shared switchboard wrote its discovery file');
    sharedPid = discovery.pid;
    assert.equal(api.serverProcessId(), discovery.pid);
    // Detached: a session of its own, so it outlives this window (it serves the others and connect clients).
    assert.equal(processOf(discovery.pid).session, discovery.pid, 'the shared switchboard leads its own session');
    assert.notEqual(processOf(process.pid).session, discovery.pid);
    assert.equal(discovery.config, await userSettingsPath());
    await waitFor('the window’s own switchboard to end', () => !isAlive(ownPid));
    await waitForProxy(api, 'shared', 'connected');
  });

  it('gives Copilot the user proxy’s tools through the shared switchboard', async () => {
    await startInVsCodeMcp();
    const tool = await waitFor('shared_echo in vscode.lm.tools', () => lmTool('shared_echo'));
    const result = await vscode.lm.invokeTool(tool.name, { input: { message: 'from Copilot' }, toolInvocationToken: undefined });
    assert.equal(textOf(result), 'Echo: from Copilot');
  });

  it('runs one backend process for the window and a connect client', async () => {
    await vscode.commands.executeCommand(Command.copyConnectionConfig, 'claudeDesktop');
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as { mcpServers: { switchboard: { args: string[] } } };
    const { args } = copied.mcpServers.switchboard;
    client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    const env = { ...(process.env as Record<string, string>) };
    await client.connect(new StdioClientTransport({ command: NODE, args: [...args, '--vscode-settings', await userSettingsPath(), '--port', String(port)], env }));
    await waitFor('shared_echo through connect', async () => (await client!.listTools()).tools.some((tool) => tool.name === 'shared_echo'));
    const result = (await client.callTool({ name: 'shared_echo', arguments: { message: 'from Claude' } })) as { content: { text: string }[] };
    assert.equal(result.content[0]?.text, 'Echo: from Claude');
    assert.equal((await readDiscovery(userFiles().discovery))?.pid, sharedPid, 'connect attached to the switchboard the window uses');

    const backends = everythingBackends();
    assert.equal(backends.length, 1, `one server-everything for both, found ${backends.length}`);
    assert.equal(processOf(backends[0]!).parent, sharedPid, 'the shared switchboard runs it');
  });

  it('Rotate Token gives the shared switchboard a new token after the user says yes: the old one is refused, VS Code’s MCP client gets the new one', async () => {
    const before = (await readDiscovery(userFiles().discovery))?.token;
    assert.ok(before);
    const asked: string[] = [];
    api.answerQuestions((question) => {
      asked.push(question.message);
      return false;
    });
    await vscode.commands.executeCommand(Command.rotateToken);
    assert.equal((await readDiscovery(userFiles().discovery))?.token, before, 'nothing changes when the user says no');
    api.answerQuestions((question) => {
      asked.push(question.message);
      return question.allow === 'Rotate Token';
    });
    try {
      await vscode.commands.executeCommand(Command.rotateToken);
    } finally {
      api.answerQuestions(undefined);
    }
    assert.deepEqual(asked, ['Rotate the token of your shared switchboard?', 'Rotate the token of your shared switchboard?']);
    const after = await waitFor('the discovery file’s new token', async () => {
      const token = (await readDiscovery(userFiles().discovery))?.token;
      return token !== before && token;
    });
    const url = api.phase().kind === 'running' ? (api.phase() as { url: string }).url : '';
    const status = async (token: string) =>
      (await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' })).status;
    assert.equal(await status(before), 401, 'the old token is refused');
    assert.notEqual(await status(after), 401);
    const text = await waitFor('a call with the new token', async () => {
      const tool = lmTool('shared_echo');
      return tool && textOf(await vscode.lm.invokeTool(tool.name, { input: { message: 'after rotation' }, toolInvocationToken: undefined }));
    });
    assert.equal(text, 'Echo: after rotation');
  });

  it('starts one successor when the shared switchboard is killed, reattaches, and Copilot’s calls go on', async () => {
    const killed = api.serverProcessId();
    assert.ok(killed !== undefined && killed === sharedPid);
    process.kill(killed, 'SIGKILL');
    const successor = await waitFor(
      'a successor the window attached to',
      () => api.phase().kind === 'running' && api.serverProcessId() !== killed && api.serverProcessId(),
      45_000,
    );
    sharedPid = successor;
    assert.equal((await readDiscovery(userFiles().discovery))?.pid, successor);
    await waitForProxy(api, 'shared', 'connected');
    const text = await waitFor(
      'a call through the successor',
      async () => {
        const tool = lmTool('shared_echo');
        return tool && textOf(await vscode.lm.invokeTool(tool.name, { input: { message: 'after the crash' }, toolInvocationToken: undefined }));
      },
      45_000,
    );
    assert.equal(text, 'Echo: after the crash');
    // The killed one's backend ends once its stdin closes; the successor's is the one left.
    const [backend] = await waitFor('one server-everything again', () => {
      const backends = everythingBackends();
      return backends.length === 1 && backends;
    });
    assert.equal(processOf(backend!).parent, successor);
  });

  it('serves this window’s workspace proxy in its own view only, not to the user view that connect clients see', async () => {
    await writeProxies('workspace', { mine: everything });
    await waitForProxy(api, 'mine', 'connected');
    const discovery = await readDiscovery(userFiles().discovery);
    assert.ok(discovery);
    const url = (api.phase() as { url: string }).url;
    const names = async (at: string) => {
      const listing = new Client({ name: 'lister', version: '1.0.0' });
      await listing.connect(new StreamableHTTPClientTransport(new URL(at), { requestInit: { headers: { Authorization: `Bearer ${discovery.token}` } } }));
      try {
        return (await listing.listTools()).tools.map((tool) => tool.name);
      } finally {
        await listing.close();
      }
    };
    const windowTools = await names(url);
    assert.ok(windowTools.includes('mine_echo') && windowTools.includes('shared_echo'), windowTools.join(', '));
    const userTools = await names(discovery.url);
    assert.ok(userTools.includes('shared_echo') && !userTools.includes('mine_echo'), userTools.join(', '));
    await writeProxies('workspace', undefined);
    await waitForProxyGone(api, 'mine');
  });

  it('runs a switchboard of its own when the shared one cannot start (another program holds its port)', async () => {
    await client?.close();
    client = undefined;
    await setSetting(ConfigKey.sharedSwitchboard, false);
    await waitFor('the window’s own switchboard', () => api.phase().kind === 'running' && api.serverProcessId() !== sharedPid);
    if (sharedPid !== undefined) process.kill(sharedPid, 'SIGTERM');
    await waitFor('the shared switchboard to end', () => sharedPid === undefined || !isAlive(sharedPid));

    const taken = createServer();
    const takenPort = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as AddressInfo).port)));
    try {
      await setSetting(ConfigKey.port, takenPort);
      const ownPid = api.serverProcessId();
      await setSetting(ConfigKey.sharedSwitchboard, true);
      // It tries the shared one (the own process ends), is told the port is taken, and forks its own again.
      await waitFor('a new switchboard of the window’s own', () => {
        const phase = api.phase();
        return phase.kind === 'running' && !phase.url.includes('/w/') && api.serverProcessId() !== ownPid;
      });
      assert.equal(processOf(api.serverProcessId()!).parent, process.pid, 'a child of the extension host');
      await waitForProxy(api, 'shared', 'connected');
    } finally {
      taken.close();
    }
  });
});
