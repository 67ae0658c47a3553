import type * as vscode from 'vscode';
import { agentEntryProblem } from '../../core/registry/agentPolicy';
import type { ToExtensionMessage } from '../../core/ipc';
import { MAX_PROXIES } from '../../core/registry/limits';
import { describeTarget, type ProxyEntry, transportOf } from '../../core/registry/registry';
import type { SettingsScope } from '../settings/config';
import type { SwitchboardContext } from '../context';
import { hasWorkspace, scopesDefining } from '../settings/proxySettings';
import type { UserQuestion } from './userQuestions';

type ChangeRequest = Extract<ToExtensionMessage, { type: 'requestChange' }>;

/** What answering the agent needs; `askUser` is read at each request, so a test can swap it. */
type AgentChangeDependencies = Pick<SwitchboardContext, 'link' | 'config' | 'settings' | 'registry' | 'log' | 'askUser' | 'signIns'>;

/**
 * Answers add_proxy and remove_proxy from the agent: the user confirms in a
 * modal that shows exactly what would run, settings are written, the new
 * registry is sent, then the server gets the result it returns to the agent.
 */
export function handleAgentChanges(dependencies: AgentChangeDependencies): vscode.Disposable {
  const { link, log } = dependencies;
  return link.onDidReceiveMessage((message) => {
    if (message.type !== 'requestChange') return;
    void decide(message, dependencies).then(
      (error) => {
        log.info(`Agent ${message.op === 'add' ? 'add_proxy' : 'remove_proxy'} "${message.name}": ${error ?? 'done'}.`);
        link.send({ type: 'changeResult', id: message.id, ok: error === undefined, ...(error !== undefined && { error }) });
      },
      (failure: unknown) => {
        const error = `the extension could not apply it: ${failure instanceof Error ? failure.message : String(failure)}`;
        log.error(`Agent change of "${message.name}" failed: ${error}`);
        link.send({ type: 'changeResult', id: message.id, ok: false, error });
      },
    );
  });
}

/** Applies the change if allowed; returns why not, or undefined when it was done. */
async function decide(request: ChangeRequest, dependencies: AgentChangeDependencies): Promise<string | undefined> {
  const { config, settings, registry } = dependencies;
  if (config.current.agentCanAddProxies === 'never') {
    return 'the user does not let the agent change proxies (setting mcpSwitchboard.agentCanAddProxies is "never"). Ask the user to add it in the MCP Switchboard view.';
  }
  if (request.op === 'add') {
    if (!request.entry) return 'the request named no server to add.';
    // The server refuses these already; checked again here because this is where the user would be asked.
    const refusal = agentEntryProblem(request.entry);
    if (refusal) return refusal;
    if (!config.current.proxies.has(request.name) && config.current.proxies.size >= MAX_PROXIES) {
      return `${MAX_PROXIES} proxies are configured, the most the switchboard mounts; ask the user to remove some first.`;
    }
    const scope = scopeFor(request.scope);
    if (typeof scope !== 'string') return scope.error;
    const allowed = await dependencies.askUser(addQuestion(request.name, request.entry, scope, config.current.proxies.has(request.name)));
    if (!allowed) return 'the user declined it.';
    await settings.upsert(request.name, request.entry, scope);
  } else {
    const scopes = scopesDefining(request.name);
    if (scopes.length === 0) return `there is no proxy "${request.name}" in settings.`;
    const allowed = await dependencies.askUser(removeQuestion(request.name, scopes, config.current.proxies.get(request.name)?.entry));
    if (!allowed) return 'the user declined it.';
    await settings.remove(request.name);
    await dependencies.signIns.forgetProxy(request.name); // Its tokens and client registration go with it.
  }
  // Send the registry before the result, so the server mounts the change before it answers the agent.
  config.refresh();
  await registry.push();
  return undefined;
}

function scopeFor(requested: SettingsScope | undefined): SettingsScope | { error: string } {
  if (requested === 'workspace' && !hasWorkspace()) {
    return { error: 'no folder is open in VS Code, so there are no workspace settings; use scope "user".' };
  }
  return requested ?? (hasWorkspace() ? 'workspace' : 'user');
}

const SCOPE_LABEL: Record<SettingsScope, string> = { user: 'user settings', workspace: 'workspace settings' };

function addQuestion(name: string, entry: ProxyEntry, scope: SettingsScope, replaces: boolean): UserQuestion {
  const isCommand = entry.command !== undefined;
  const lines = [
    isCommand ? `It will run this command on your computer:\n${describeTarget(entry)}` : `It will connect to:\n${describeTarget(entry)}`,
  ];
  if (entry.env && Object.keys(entry.env).length > 0) {
    lines.push(`With environment: ${Object.entries(entry.env).map(([key, value]) => `${key}=${value}`).join(' ')}`);
  }
  if (entry.cwd !== undefined) lines.push(`In folder: ${entry.cwd}`);
  lines.push(`Transport: ${transportOf(entry)}. Saved to ${SCOPE_LABEL[scope]}${replaces ? `, replacing the current "${name}"` : ''}.`);
  if (isCommand) lines.push('Only allow commands you recognise: a program started this way can do anything you can.');
  return {
    message: `The agent wants to add the MCP server "${name}".`,
    detail: lines.join('\n\n'),
    allow: 'Allow',
    modal: true,
  };
}

function removeQuestion(name: string, scopes: SettingsScope[], entry: ProxyEntry | undefined): UserQuestion {
  return {
    message: `The agent wants to remove the MCP server "${name}".`,
    detail: `${entry ? `It ${entry.command !== undefined ? 'runs' : 'connects to'}: ${describeTarget(entry)}\n\n` : ''}It will be deleted from ${scopes.map((scope) => SCOPE_LABEL[scope]).join(' and ')}.`,
    allow: 'Remove',
    modal: true,
  };
}
