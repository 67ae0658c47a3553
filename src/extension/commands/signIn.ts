import * as vscode from 'vscode';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import type { ProxyRow } from '../views/proxyModel';
import { type ProxyArgument, proxyFromArgument } from './proxyArgument';

/** Only url proxies sign in; for another, the user hears why nothing happens. */
function signsIn(row: ProxyRow): boolean {
  if (row.transport !== undefined && row.transport !== 'stdio') return true;
  void vscode.window.showInformationMessage(`${row.name} runs a command, so it does not sign in: only a url proxy signs in to its server.`);
  return false;
}

/** Sign In: signs a url proxy in to its server (OAuth, in the browser); the palette offers those that wait for it first. */
export async function signIn(context: SwitchboardContext, argument: ProxyArgument): Promise<void> {
  const waiting = context.model.rows().some((row) => row.state === 'needs-sign-in');
  const row = await proxyFromArgument(context, argument, 'Proxy to sign in to', (candidate) =>
    waiting ? candidate.state === 'needs-sign-in' : candidate.transport !== undefined && candidate.transport !== 'stdio',
  );
  if (!row || !signsIn(row)) return;
  try {
    await context.signIns.signIn(row.name);
    context.log.info(`Signed in to proxy "${row.name}".`);
  } catch (error) {
    if (/The sign-in was cancelled/.test(messageOf(error))) return; // The user's own cancel needs no error.
    await showError(messageOf(error), { title: 'Sign In', run: () => signIn(context, row.name) });
  }
}

/** Sign Out: forgets a proxy's tokens and client registration; it then needs sign-in again. */
export async function signOut(context: SwitchboardContext, argument: ProxyArgument): Promise<void> {
  const row = await proxyFromArgument(context, argument, 'Proxy to sign out of', (candidate) => candidate.transport !== undefined && candidate.transport !== 'stdio');
  if (!row || !signsIn(row)) return;
  await context.signIns.signOut(row.name);
  context.log.info(`Signed out of proxy "${row.name}".`);
  void vscode.window.showInformationMessage(`Signed out of ${row.name}: its tokens were deleted.`);
}
