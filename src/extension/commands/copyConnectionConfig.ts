import * as vscode from 'vscode';
import { type ClientKind, CLIENTS, connectionConfig } from '../connectionConfig';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { Command } from '../constants';
import { BACK } from '../quickInputs';

const CLIENT_LABELS: Record<ClientKind, string> = {
  claudeDesktop: 'Claude Desktop',
  claudeCode: 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code (.vscode/mcp.json)',
};

/** Copy Connection Config: the snippet another MCP client needs to use this window's switchboard. */
export async function copyConnectionConfig(context: SwitchboardContext, client?: ClientKind): Promise<void> {
  const chosen = client ?? (await pickClient(context));
  if (!chosen) return;
  let url: string;
  try {
    url = await context.supervisor.ensureRunning();
  } catch (error) {
    await showError(`The switchboard server did not start, so there is nothing to connect to: ${messageOf(error)}`, {
      title: 'Show Logs',
      run: () => context.log.show(),
    }, { title: 'Retry', run: () => vscode.commands.executeCommand(Command.copyConnectionConfig, chosen) });
    return;
  }
  const config = connectionConfig(chosen, url, context.token);
  await vscode.env.clipboard.writeText(config.text);
  void vscode.window.showInformationMessage(
    `Copied the ${config.client} config: paste it ${config.where}. It works while this VS Code window is open (the port and token change when it restarts).`,
  );
}

async function pickClient(context: SwitchboardContext): Promise<ClientKind | undefined> {
  const picked = await context.quickInputs.pick({
    title: 'Copy Connection Config',
    placeholder: 'Which MCP client should connect to the switchboard?',
    items: CLIENTS.map((kind) => ({ label: CLIENT_LABELS[kind], client: kind })),
  });
  return picked === undefined || picked === BACK ? undefined : picked.client;
}
