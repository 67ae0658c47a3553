import * as vscode from 'vscode';
import { MCP_PROVIDER_ID, MCP_SERVER_LABEL } from './constants';
import type { ServerSupervisor } from './supervisor';

/** What provideMcpServerDefinitions answers before the first start: resolveMcpServerDefinition fills in the real port. */
const NOT_STARTED_URL = 'http://127.0.0.1/mcp';

/**
 * Tells VS Code's MCP client (Copilot's agent mode) about the switchboard:
 * one HTTP definition with the bearer token. The definition only changes when
 * a restarted server listens on another port, so VS Code reconnects then and
 * never otherwise; tool changes reach it as list_changed notifications.
 */
export function registerMcpProvider(supervisor: ServerSupervisor, token: string, version: string): vscode.Disposable {
  const definitionsChanged = new vscode.EventEmitter<void>();
  let knownUrl: string | undefined;
  const headers = { Authorization: `Bearer ${token}` };

  const phaseSubscription = supervisor.onDidChangePhase((phase) => {
    if (phase.kind !== 'running') return;
    const previous = knownUrl;
    knownUrl = phase.url;
    // The first start needs no event: VS Code resolves the definition and gets the URL then.
    if (previous !== undefined && previous !== phase.url) definitionsChanged.fire();
  });

  const provider: vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition> = {
    onDidChangeMcpServerDefinitions: definitionsChanged.event,
    provideMcpServerDefinitions: () => [
      new vscode.McpHttpServerDefinition(MCP_SERVER_LABEL, vscode.Uri.parse(knownUrl ?? NOT_STARTED_URL), headers, version),
    ],
    resolveMcpServerDefinition: async (definition) => {
      const url = await supervisor.ensureRunning();
      definition.uri = vscode.Uri.parse(url);
      definition.headers = headers;
      return definition;
    },
  };

  const registration = vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider);
  return vscode.Disposable.from(registration, phaseSubscription, definitionsChanged);
}
