import * as vscode from 'vscode';
import { EXTENSION_ID, MCP_PROVIDER_ID, MCP_SERVER_LABEL } from '../constants';
import type { SwitchboardLink } from './switchboardLink';

/** What provideMcpServerDefinitions answers before the first start: resolveMcpServerDefinition fills in the real port. */
const NOT_STARTED_URL = 'http://127.0.0.1/mcp';

/** How VS Code names the definition this provider gives: `<extension id>/<label>`. */
const VS_CODE_SERVER_ID = `${EXTENSION_ID}/${MCP_SERVER_LABEL}`;

/**
 * Tells VS Code's MCP client (Copilot's agent mode) about the switchboard:
 * one HTTP definition with the bearer token, both read when VS Code asks (the
 * shared switchboard's token can be rotated). A restarted server listens on
 * the same port, so the definition stays as it is; tool changes reach VS Code
 * as list_changed notifications. When a server comes back (Restart Server,
 * or after a crash), or the token changes, and VS Code had started it, VS
 * Code's client is started again on it: it does not reconnect a server whose
 * connection ended by itself.
 */
export function registerMcpProvider(link: SwitchboardLink, version: string, log: vscode.LogOutputChannel): vscode.Disposable {
  const definitionsChanged = new vscode.EventEmitter<void>();
  let known: { readonly url: string; readonly token: string } | undefined;
  let startedByVsCode = false;
  const headers = () => ({ Authorization: `Bearer ${link.token}` });

  const phaseSubscription = link.onDidChangePhase((phase) => {
    if (phase.kind !== 'running') return;
    const previous = known;
    known = { url: phase.url, token: link.token };
    // The first start needs no event: VS Code resolves the definition and gets the URL then.
    if (previous === undefined) return;
    // The old port was taken, or another switchboard serves now: VS Code needs the new URL and token.
    if (previous.url !== known.url || previous.token !== known.token) definitionsChanged.fire();
    if (startedByVsCode) void reconnectVsCode(log);
  });
  const tokenSubscription = link.onDidChangeToken(() => {
    if (known !== undefined) known = { url: known.url, token: link.token };
    definitionsChanged.fire();
    if (startedByVsCode) void reconnectVsCode(log);
  });

  const provider: vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition> = {
    onDidChangeMcpServerDefinitions: definitionsChanged.event,
    provideMcpServerDefinitions: () => [
      new vscode.McpHttpServerDefinition(MCP_SERVER_LABEL, vscode.Uri.parse(known?.url ?? NOT_STARTED_URL), headers(), version),
    ],
    resolveMcpServerDefinition: async (definition) => {
      startedByVsCode = true;
      const url = await link.ensureRunning();
      definition.uri = vscode.Uri.parse(url);
      definition.headers = headers();
      return definition;
    },
  };

  const registration = vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider);
  return vscode.Disposable.from(registration, phaseSubscription, tokenSubscription, definitionsChanged);
}

/** Stops and starts VS Code's own client of the switchboard, so it connects to the server that now runs. */
async function reconnectVsCode(log: vscode.LogOutputChannel): Promise<void> {
  try {
    // VS Code's own commands (those its MCP server list uses); a host without them is left as it is.
    await vscode.commands.executeCommand('workbench.mcp.stopServer', VS_CODE_SERVER_ID);
    await vscode.commands.executeCommand('workbench.mcp.startServer', VS_CODE_SERVER_ID);
    log.info("VS Code's MCP client was reconnected to the restarted server.");
  } catch (error) {
    log.warn(`Could not reconnect VS Code's MCP client to the restarted server: ${error instanceof Error ? error.message : String(error)}. Start it from the MCP servers list.`);
  }
}
