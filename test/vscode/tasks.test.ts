import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchboardTestApi } from '../../src/extension/testApi';
import { activateAndStartServer, everything, lmTool, resetSettings, startInVsCodeMcp, textOf, waitFor, waitForProxy, writeProxies } from './support';

/**
 * MCP tasks (protocol 2025-11-25) from VS Code's own MCP client, the one
 * Copilot's agent uses. VS Code 1.139 declares `capabilities.tasks` at
 * `initialize`, and when the server declares `tasks.requests.tools.call` it
 * sends a `tools/call` for a tool with `execution.taskSupport` "required" or
 * "optional" with `task: {}`, then follows the task (`tasks/get`,
 * `tasks/result`, `notifications/tasks/status`) until it ends. server-everything's
 * `simulate-research-query` is task-required: a plain call is refused, so a
 * report in the answer means the call ran as a task, through the switchboard.
 */
describe("Tasks: VS Code's MCP client runs a task-required tool through the switchboard", function () {
  this.timeout(120_000);
  let api: SwitchboardTestApi;

  before(async () => {
    api = await activateAndStartServer();
    await resetSettings();
    await startInVsCodeMcp();
  });
  after(resetSettings);

  it('lists everything_simulate-research-query to VS Code, which declared tasks', async () => {
    await writeProxies('user', { everything });
    await waitForProxy(api, 'everything', 'connected');
    await waitFor('everything_echo in vscode.lm.tools', () => lmTool('everything_echo'));
    // VS Code names it mcp_<its prefix for the server>_everything_simulate-research-query.
    const listed = () => vscode.lm.tools.filter((tool) => tool.name.includes('_everything_')).map((tool) => tool.name);
    await waitFor('everything_simulate-research-query in vscode.lm.tools', () => lmTool('everything_simulate-research-query'), 10_000).catch((error: unknown) => {
      throw new Error(`${String(error)} VS Code lists: ${listed().join(', ')}`);
    });
  });

  it('calls it with vscode.lm.invokeTool and gets the research report when the task completes', async () => {
    const tool = await waitFor('everything_simulate-research-query in vscode.lm.tools', () => lmTool('everything_simulate-research-query'));
    const started = Date.now();
    const result = await vscode.lm.invokeTool(tool.name, { input: { topic: 'switchboards' }, toolInvocationToken: undefined });
    const elapsed = Date.now() - started;
    const report = textOf(result);
    assert.match(report, /# Research Report: switchboards/, report);
    assert.match(report, /Stage 4: Generating report ✓/);
    // The tool works through four stages of a second each before its task completes.
    assert.ok(elapsed >= 3_000, `the answer came after the task's work (${elapsed} ms), not at once`);
  });
});
