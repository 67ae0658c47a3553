/**
 * MCP Switchboard's VS Code side. activate() only wires the parts together;
 * each lives in its own module and is owned by the SwitchboardContext.
 */
import type * as vscode from 'vscode';
import { handleAgentChanges } from './server/agentChanges';
import { registerCommands } from './commands';
import { showConnectingProgress } from './views/connectingProgress';
import { SwitchboardContext } from './context';
import { messageOf } from './errors';
import { registerMcpProvider } from './server/mcpProvider';
import { createProxyTree } from './views/proxyTree';
import { forwardServerLogs } from './server/serverLog';
import { createStatusBar } from './views/statusBar';
import { createTestApi, type SwitchboardTestApi } from './testApi';

let active: SwitchboardContext | undefined;

export function activate(extension: vscode.ExtensionContext): SwitchboardTestApi {
  const context = new SwitchboardContext(extension);
  active = context;
  extension.subscriptions.push(context);

  // The server starts lazily: when VS Code's MCP client resolves it, when the view opens, or once proxies are configured.
  const start = () => void context.link.ensureRunning().catch((error: unknown) => context.log.error(`The switchboard server did not start: ${messageOf(error)}`));

  context.own(registerMcpProvider(context.link, context.version, context.log));
  context.own(forwardServerLogs(context.link, context.log));
  context.own(handleAgentChanges(context));
  const tree = createProxyTree(context.model, context.settings, start);
  context.own(tree.disposable);
  const statusBar = createStatusBar(context.model);
  context.own(statusBar.disposable);
  context.own(showConnectingProgress(context.model));
  context.own(registerCommands(context));

  const startIfConfigured = () => context.config.current.proxies.size > 0 && start();
  context.own(context.config.onDidChange(startIfConfigured));
  startIfConfigured();
  return createTestApi(context, tree.data, statusBar.item);
}

export async function deactivate(): Promise<void> {
  const context = active;
  active = undefined;
  // Waits for the server to end its backends, so no process outlives the window.
  await context?.shutdown();
}
