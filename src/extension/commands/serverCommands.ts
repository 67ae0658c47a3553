import * as vscode from 'vscode';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { secretKeysOf } from '../secrets';
import { Command } from '../constants';
import { BACK } from '../quickInputs';

/** Restart Server: ends the switchboard process (and its backends) and starts a new one. */
export async function restartServer(context: SwitchboardContext): Promise<void> {
  try {
    await context.supervisor.restart();
  } catch (error) {
    await showError(`The switchboard server did not start: ${messageOf(error)}`, { title: 'Show Logs', run: () => context.log.show() }, {
      title: 'Retry',
      run: () => vscode.commands.executeCommand(Command.restartServer),
    });
  }
}

/** Refresh: re-reads settings and sends them to the server again, starting it if needed. */
export async function refresh(context: SwitchboardContext): Promise<void> {
  context.config.refresh();
  try {
    await context.supervisor.ensureRunning();
    await context.registry.push();
  } catch (error) {
    await showError(`The switchboard server did not start: ${messageOf(error)}`, { title: 'Show Logs', run: () => context.log.show() });
  }
}

const ANOTHER_KEY = '$(add) Another Key…';

/** Set Secret: stores a value for `${secret:KEY}`, offering the keys the proxies use. */
export async function setSecret(context: SwitchboardContext, key?: string): Promise<void> {
  const chosen = key ?? (await pickSecretKey(context));
  if (chosen !== undefined) await context.secrets.prompt(chosen);
}

/** The KEY to set: one the proxies use, or another the user types; undefined when they cancel. */
async function pickSecretKey(context: SwitchboardContext): Promise<string | undefined> {
  const used = new Map<string, string>();
  for (const proxy of context.config.current.proxies.values()) {
    for (const secretKey of secretKeysOf(proxy.entry)) used.set(secretKey, proxy.name);
  }
  const { missing } = await context.secrets.read(used.keys());
  const items = [...used].map(([secretKey, proxy]) => ({
    label: secretKey,
    description: `used by ${proxy}${missing.includes(secretKey) ? ' · not set' : ''}`,
  }));
  const picked = await context.quickInputs.pick({
    title: 'Set Secret',
    placeholder: 'Which ${secret:KEY} to set',
    items: [...items, { label: ANOTHER_KEY, description: '' }],
  });
  if (picked === undefined || picked === BACK) return undefined;
  if (picked.label !== ANOTHER_KEY) return picked.label;
  const typed = await context.quickInputs.text({
    title: 'Set Secret',
    prompt: 'The KEY of ${secret:KEY}',
    validate: (value) => (/^[^}\s]+$/.test(value) ? undefined : 'A key is one or more characters, without spaces or "}".'),
  });
  return typeof typed === 'string' ? typed : undefined;
}
