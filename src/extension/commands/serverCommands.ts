import * as vscode from 'vscode';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { secretKeysOf } from '../settings/secrets';
import { Command } from '../constants';
import { rotateToken as rotateSavedToken } from '../../core/user/persistentToken';
import { userFiles } from '../../core/user/userFiles';
import { BACK } from '../views/quickInputs';

/** Restart Server: ends the switchboard process (and its backends) and starts a new one. */
export async function restartServer(context: SwitchboardContext): Promise<void> {
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Restarting the MCP Switchboard server…' }, () =>
      context.link.restart(),
    );
  } catch (error) {
    await showError(`The switchboard server did not start: ${messageOf(error)}`, { title: 'Show Logs', run: () => context.log.show() }, {
      title: 'Retry',
      run: () => vscode.commands.executeCommand(Command.restartServer),
    });
  }
}

/**
 * Rotate Token: gives the user's shared switchboard a new token (its file,
 * 0600), which it takes at once and refuses the old one from then on. The
 * windows attached to it follow by themselves, and so do `connect` clients;
 * a client given the URL and token by hand needs the new one.
 */
export async function rotateToken(context: SwitchboardContext): Promise<void> {
  const confirmed = await context.askUser({
    message: "Rotate the token of your shared switchboard?",
    detail:
      "Clients you gave its URL and token (Copy Connection Config's \"this window\" snippets, or by hand) are refused until you copy their config again. " +
      'VS Code windows and clients that run `mcp-switchboard connect` follow by themselves.',
    allow: 'Rotate Token',
    modal: true,
  });
  if (!confirmed) return;
  try {
    await rotateSavedToken(userFiles().token);
  } catch (error) {
    await showError(`The token could not be rotated: ${messageOf(error)}`);
    return;
  }
  const own = context.link.isShared ? '' : " This window runs a switchboard of its own (mcpSwitchboard.sharedSwitchboard is off), whose token is new at every start.";
  context.log.info(`Rotated the shared switchboard's token (${userFiles().token}).`);
  void vscode.window.showInformationMessage(`The shared switchboard has a new token: copy the connection config again for clients that use the old one.${own}`);
}

/** Refresh: re-reads settings and sends them to the server again, starting it if needed. */
export async function refresh(context: SwitchboardContext): Promise<void> {
  context.config.refresh();
  try {
    await context.link.ensureRunning();
    await context.registry.push();
  } catch (error) {
    await showError(`The switchboard server did not start: ${messageOf(error)}`, { title: 'Show Logs', run: () => context.log.show() });
  }
}

/** Set Secret: stores a value for `${secret:KEY}`; the user types the KEY, or picks one the proxies use. */
export async function setSecret(context: SwitchboardContext, key?: string): Promise<void> {
  const chosen = key ?? (await pickSecretKey(context));
  if (chosen !== undefined) await context.secrets.prompt(chosen);
}

interface KeyItem extends vscode.QuickPickItem {
  readonly key: string;
}

/** Why a typed KEY cannot be one, or undefined when it can. */
function secretKeyProblem(key: string): string | undefined {
  return /^[^}\s]+$/.test(key) ? undefined : 'A key has no spaces and no "}": type another.';
}

/** The KEY to set: typed, or picked from those the proxies use; undefined when they cancel. */
async function pickSecretKey(context: SwitchboardContext): Promise<string | undefined> {
  const used = new Map<string, string>();
  for (const proxy of context.config.current.proxies.values()) {
    for (const secretKey of secretKeysOf(proxy.entry)) used.set(secretKey, proxy.name);
  }
  const { missing } = await context.secrets.read(used.keys());
  const items: KeyItem[] = [...used].map(([secretKey, proxy]) => ({
    label: secretKey,
    description: `used by ${proxy}${missing.includes(secretKey) ? ' · not set' : ''}`,
    key: secretKey,
  }));
  const picked = await context.quickInputs.pick<KeyItem>({
    title: 'Set Secret',
    placeholder: items.length > 0 ? 'Type the KEY of ${secret:KEY}, or pick one a proxy uses' : 'Type the KEY of ${secret:KEY}, e.g. github',
    items,
    typed: (value) => {
      const typedKey = value.trim();
      return secretKeyProblem(typedKey) ?? { label: typedKey, description: 'Set this key (no proxy uses it yet)', key: typedKey };
    },
  });
  return picked === undefined || picked === BACK ? undefined : picked.key;
}
