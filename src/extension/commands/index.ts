import * as vscode from 'vscode';
import { type ClientKind, CLIENTS } from '../connectionConfig';
import { Command, type CommandId } from '../constants';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { addProxy } from './addProxy';
import { copyConnectionConfig } from './copyConnectionConfig';
import { importServers } from './importServers';
import { proxyArgumentOf } from './proxyArgument';
import { editProxyInSettings, listProxies, removeProxy, restartProxy, setProxyEnabled } from './proxyActions';
import { signIn, signOut } from './signIn';
import { openResource, resourceArgumentOf } from './openResource';
import { refresh, restartServer, rotateToken, setSecret } from './serverCommands';

/**
 * A command's arguments are whatever its caller passes: nothing from the
 * palette, the focused tree node from a view's title bar, the clicked node
 * (and the selection) from an item's menu, a value from other code. Each
 * handler takes only the argument it understands and ignores anything else.
 */
type Handler = (context: SwitchboardContext, argument: unknown) => Promise<void>;

/** Every command the manifest contributes, and the function that runs it. */
const COMMANDS: Record<CommandId, Handler> = {
  [Command.addProxy]: (context) => addProxy(context),
  [Command.listProxies]: (context) => listProxies(context),
  [Command.removeProxy]: (context, argument) => removeProxy(context, proxyArgumentOf(argument)),
  [Command.restartProxy]: (context, argument) => restartProxy(context, proxyArgumentOf(argument)),
  [Command.toggleProxy]: (context, argument) => setProxyEnabled(context, proxyArgumentOf(argument), 'toggle'),
  [Command.enableProxy]: (context, argument) => setProxyEnabled(context, proxyArgumentOf(argument), true),
  [Command.disableProxy]: (context, argument) => setProxyEnabled(context, proxyArgumentOf(argument), false),
  [Command.editProxyInSettings]: (context, argument) => editProxyInSettings(context, proxyArgumentOf(argument)),
  [Command.showLogs]: async (context) => context.log.show(),
  [Command.copyConnectionConfig]: (context, argument) => copyConnectionConfig(context, clientKindOf(argument), profileArgumentOf(argument)),
  [Command.importServers]: (context, argument) => importServers(context, argument instanceof vscode.Uri ? argument : undefined),
  [Command.refresh]: (context) => refresh(context),
  [Command.restartServer]: (context) => restartServer(context),
  [Command.rotateToken]: (context) => rotateToken(context),
  [Command.setSecret]: (context, argument) => setSecret(context, typeof argument === 'string' ? argument : undefined),
  [Command.openResource]: (context, argument) => openResource(context, resourceArgumentOf(argument)),
  [Command.signIn]: (context, argument) => signIn(context, proxyArgumentOf(argument)),
  [Command.signOut]: (context, argument) => signOut(context, proxyArgumentOf(argument)),
};

function clientKindOf(argument: unknown): ClientKind | undefined {
  return CLIENTS.find((client) => client === argument);
}

/** A profile row of the Proxies view (its menu, or the focused row for the title-bar button) names its profile. */
function profileArgumentOf(argument: unknown): string | undefined {
  if (typeof argument !== 'object' || argument === null || !('kind' in argument) || argument.kind !== 'profile') return undefined;
  return 'profile' in argument && typeof argument.profile === 'string' ? argument.profile : undefined;
}

/** Registers every command; a command that fails says so in one sentence with a way to the logs. */
export function registerCommands(context: SwitchboardContext): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(COMMANDS).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (argument: unknown) => {
        try {
          await handler(context, argument);
        } catch (error) {
          context.log.error(`${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          await showError(`MCP Switchboard: ${messageOf(error)}`, { title: 'Show Logs', run: () => context.log.show() });
        }
      }),
    ),
  );
}
