import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { UserQuestion } from '../../src/extension/server/userQuestions';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import {
  activateExtension,
  EVERYTHING,
  everything,
  lmTool,
  NODE,
  proxiesIn,
  resetSettings,
  setSetting,
  startInVsCodeMcp,
  textOf,
  waitFor,
  waitForProxy,
  waitForProxyGone,
  writeProxies,
} from './support';

/**
 * The agent calls add_proxy / remove_proxy through VS Code's MCP client; the
 * server asks the extension over IPC; the extension asks the user and writes
 * settings. Only the modal is answered by the test (through the test API).
 */
describe('The agent extends the switchboard, with the user in charge', function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;
  let questions: UserQuestion[];

  const callTool = async (name: string, input: object) => {
    const tool = await waitFor(`${name} in vscode.lm.tools`, () => lmTool(name));
    return textOf(await vscode.lm.invokeTool(tool.name, { input, toolInvocationToken: undefined }));
  };
  const answer = (allow: boolean) =>
    api.answerQuestions((question) => {
      questions.push(question);
      return allow;
    });

  before(async () => {
    api = await activateExtension();
    await resetSettings();
    await startInVsCodeMcp();
  });
  beforeEach(() => {
    questions = [];
  });
  afterEach(() => api.answerQuestions(undefined));
  after(resetSettings);

  it('add_proxy with Allow: the dialog shows the exact command, settings get the entry, the tools arrive', async () => {
    answer(true);
    const text = await callTool('add_proxy', { name: 'agent-added', command: NODE, args: [EVERYTHING, 'stdio'] });
    // VS Code gives the model the structured content when there is some, else the text.
    if (text.startsWith('{')) {
      const added = JSON.parse(text) as { name: string; state: string; tools: string[] };
      assert.equal(added.state, 'connected');
      assert.ok(added.tools.includes('agent-added_echo'));
    } else {
      assert.match(text, /Proxy "agent-added" is mounted with \d+ tools: .*agent-added_echo/);
    }
    assert.equal(questions.length, 1);
    assert.match(questions[0]?.message ?? '', /The agent wants to add the MCP server "agent-added"/);
    assert.ok(questions[0]?.detail?.includes(`It will run this command on your computer:\n${NODE} ${EVERYTHING} stdio`), questions[0]?.detail);
    assert.match(questions[0]?.detail ?? '', /Saved to workspace settings/);
    assert.deepEqual(proxiesIn('workspace')['agent-added'], { command: NODE, args: [EVERYTHING, 'stdio'] });
    await waitFor('agent-added_echo in vscode.lm.tools', () => lmTool('agent-added_echo'));
  });

  it('add_proxy with ${secret:…} or ${env:…} is refused before any dialog, and settings are unchanged', async () => {
    answer(true);
    const userBefore = JSON.stringify(proxiesIn('user'));
    const workspaceBefore = JSON.stringify(proxiesIn('workspace'));
    const attempts = [
      { name: 'leak-secret', url: 'http://127.0.0.1:9/leak/${secret:github}' },
      { name: 'leak-env', command: NODE, args: [EVERYTHING, 'stdio'], env: { TOKEN: '${env:HOME}' } },
      { name: 'leak-home', url: 'http://127.0.0.1:9/${userHome}/mcp' },
    ];
    for (const input of attempts) {
      const text = await callTool('add_proxy', input);
      assert.match(text, /add_proxy was not done: .* contains "\$\{[^}]+\}": \$\{…\} variables can only be written by the user, in settings or the registry file, not by the agent\./);
    }
    const metadata = await callTool('add_proxy', { name: 'meta', url: 'http://169.254.169.254/latest/meta-data/' });
    assert.match(metadata, /The agent may not add http:\/\/169\.254\.169\.254\/latest\/meta-data\/: 169\.254\.169\.254 is a link-local address/);
    assert.equal(questions.length, 0, 'no dialog was shown');
    assert.equal(JSON.stringify(proxiesIn('user')), userBefore);
    assert.equal(JSON.stringify(proxiesIn('workspace')), workspaceBefore);
    assert.ok(!api.statuses().some((status) => status.name.startsWith('leak') || status.name === 'meta'));
  });

  it('add_proxy with Deny: the agent is told, and nothing is written or mounted', async () => {
    answer(false);
    const text = await callTool('add_proxy', { name: 'denied', url: 'http://127.0.0.1:9/mcp', scope: 'user' });
    assert.match(text, /Proxy "denied" was not added: the user declined it/);
    assert.equal(questions.length, 1);
    assert.match(questions[0]?.detail ?? '', /It will connect to:\nhttp:\/\/127\.0\.0\.1:9\/mcp/);
    assert.equal(proxiesIn('user').denied, undefined);
    assert.equal(proxiesIn('workspace').denied, undefined);
    assert.ok(!api.statuses().some((status) => status.name === 'denied'));
  });

  it('with agentCanAddProxies "never", refuses without asking', async () => {
    answer(true);
    await setSetting('agentCanAddProxies', 'never');
    try {
      const text = await callTool('add_proxy', { name: 'never', url: 'http://127.0.0.1:9/mcp' });
      assert.match(text, /mcpSwitchboard\.agentCanAddProxies is "never"/);
      assert.equal(questions.length, 0);
      assert.equal(proxiesIn('workspace').never, undefined);
    } finally {
      await setSetting('agentCanAddProxies', undefined);
    }
  });

  it('remove_proxy with Allow deletes the proxy from every scope that has it', async () => {
    await writeProxies('user', { removable: everything });
    await waitForProxy(api, 'removable', 'connected');
    answer(true);
    const text = await callTool('remove_proxy', { name: 'removable' });
    assert.match(text, /Proxy "removable" was removed/);
    assert.match(questions[0]?.detail ?? '', /deleted from user settings/);
    assert.equal(proxiesIn('user').removable, undefined);
    await waitForProxyGone(api, 'removable');
  });

  it('remove_proxy with Deny keeps it', async () => {
    answer(false);
    const text = await callTool('remove_proxy', { name: 'agent-added' });
    assert.match(text, /was not removed: the user declined it/);
    assert.ok(proxiesIn('workspace')['agent-added']);
    await waitForProxy(api, 'agent-added', 'connected');
  });
});
