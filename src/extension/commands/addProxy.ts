import * as vscode from 'vscode';
import { formatIssues, type ProxyEntry, proxyNameSchema } from '../../core/registry/registry';
import { findEntryCommand } from '../settings/commandLookup';
import type { SettingsScope } from '../settings/config';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { hasWorkspace } from '../settings/proxySettings';
import { BACK, type Validation } from '../views/quickInputs';
import { entryFromTarget } from '../settings/targetInput';
import { openProxySettings } from './proxyActions';

const TITLE = 'Add Proxy';
const STEPS = 3;

interface ScopeItem extends vscode.QuickPickItem {
  readonly scope: SettingsScope;
}

/**
 * MCP Switchboard: Add Proxy… — name, then URL or command, then where to save
 * it. Each step checks its value with the registry's own rules as the user
 * types, and Back keeps what was typed.
 */
export async function addProxy(context: SwitchboardContext): Promise<void> {
  let name = '';
  let target = '';
  let entry: ProxyEntry | undefined;
  let step = 1;
  while (step <= STEPS) {
    if (step === 1) {
      const answer = await context.quickInputs.text({
        title: TITLE,
        step,
        totalSteps: STEPS,
        prompt: 'Name of the proxy. Its tools appear as <name>_<tool>.',
        placeholder: 'e.g. github',
        value: name,
        validate: (value) => validateName(context, value),
      });
      if (answer === undefined) return;
      if (answer === BACK) continue;
      name = answer;
    } else if (step === 2) {
      const answer = await context.quickInputs.text({
        title: TITLE,
        step,
        totalSteps: STEPS,
        prompt: 'URL of the MCP server (Streamable HTTP, or SSE for URLs ending in /sse), or the command that starts it over stdio.',
        placeholder: 'e.g. http://localhost:3001/mcp or npx -y @modelcontextprotocol/server-everything',
        value: target,
        validate: (value) => {
          const result = entryFromTarget(name, value);
          return 'problem' in result ? result.problem : undefined;
        },
        check: async (value) => {
          const result = entryFromTarget(name, value);
          const problem = 'entry' in result ? await commandProblem(result.entry) : undefined;
          if (problem === undefined) return undefined;
          const message = `${problem} The proxy will not start until it is installed: give its full path, or save it anyway.`;
          return { message, severity: vscode.InputBoxValidationSeverity.Warning };
        },
        // Back and forward again keeps what was typed, even if it was never accepted.
        onDidChangeValue: (value) => {
          target = value;
        },
      });
      if (answer === undefined) return;
      if (answer === BACK) {
        step--;
        continue;
      }
      target = answer;
      const result = entryFromTarget(name, answer);
      if ('problem' in result) continue; // Cannot happen: the step refuses invalid values.
      entry = result.entry;
    } else {
      const answer = await context.quickInputs.pick<ScopeItem>({
        title: TITLE,
        step,
        totalSteps: STEPS,
        placeholder: hasWorkspace()
          ? 'Where to save it'
          : 'Where to save it: no folder is open, so only user settings are available',
        items: scopeItems(entry, context.trust.isTrusted),
      });
      if (answer === undefined) return;
      if (answer === BACK) {
        step--;
        continue;
      }
      if (entry) await save(context, name, entry, answer.scope);
      return;
    }
    step++;
  }
}

function validateName(context: SwitchboardContext, value: string): Validation {
  const parsed = proxyNameSchema.safeParse(value);
  if (!parsed.success) return formatIssues(parsed.error);
  const existing = context.model.row(value);
  if (existing) {
    return {
      message: `A proxy "${value}" is already in ${existing.scope} settings: saving replaces it there.`,
      severity: vscode.InputBoxValidationSeverity.Warning,
    };
  }
  return undefined;
}

function scopeItems(entry: ProxyEntry | undefined, trusted: boolean): ScopeItem[] {
  const user: ScopeItem = { scope: 'user', label: '$(account) User settings', detail: 'Available in every window.' };
  if (!hasWorkspace()) return [user];
  const blocked = !trusted && entry?.command !== undefined;
  const workspace: ScopeItem = {
    scope: 'workspace',
    label: '$(folder) Workspace settings',
    detail: blocked
      ? 'Only for this workspace. It will not start until you trust the workspace.'
      : 'Only for this workspace, and shared with it (.vscode/settings.json).',
  };
  return [workspace, user];
}

async function save(context: SwitchboardContext, name: string, entry: ProxyEntry, scope: SettingsScope): Promise<void> {
  try {
    await context.settings.upsert(name, entry, scope);
  } catch (error) {
    await showError(`Proxy "${name}" was not saved: ${messageOf(error)}`, {
      title: 'Open Settings',
      run: () => openProxySettings(scope),
    });
    return;
  }
  context.config.refresh();
  context.log.info(`Added proxy "${name}" to ${scope} settings.`);
  context.link.ensureRunning().catch((error: unknown) => context.log.error(`The switchboard server did not start: ${messageOf(error)}`));
  const problem = await commandProblem(entry);
  if (problem === undefined) {
    void vscode.window.showInformationMessage(`Proxy "${name}" was added to ${scope} settings.`);
  } else {
    void vscode.window.showWarningMessage(`Proxy "${name}" was added to ${scope} settings, but it will not start until its command is found: ${problem}`);
  }
}

/** Why the entry's command will not be found when the switchboard starts it, or undefined (found, or a URL proxy). */
async function commandProblem(entry: ProxyEntry): Promise<string | undefined> {
  const result = await findEntryCommand(entry, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  return result.kind === 'missing' ? result.problem : undefined;
}
