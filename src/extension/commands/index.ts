import * as vscode from 'vscode';
import type { ClientKind } from '../connectionConfig';
import { Command, type CommandId } from '../constants';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { addProxy } from './addProxy';
import { copyConnectionConfig } from './copyConnectionConfig';
import { importServers } from './importServers';
import type { ProxyArgument } from './proxyArgument';
import { editProxyInSettings, listProxies, removeProxy, restartProxy, setProxyEnabled } from './proxyActions';
import { refresh, restartServer, setSecret } from './serverCommands';

type Handler = (context: SwitchboardContext, ...args: never[]) => Promise<void>;

/** Every command the manifest contributes, and the function that runs it. */
const COMMANDS: Record<CommandId, Handler> = {
  [Command.addProxy]: addProxy,
  [Command.listProxies]: listProxies,
  [Command.removeProxy]: (context, argument: ProxyArgument) => removeProxy(context, argument),
  [Command.restartProxy]: (context, argument: ProxyArgument) => restartProxy(context, argument),
  [Command.toggleProxy]: (context, argument: ProxyArgument) => setProxyEnabled(context, argument, 'toggle'),
  [Command.enableProxy]: (context, argument: ProxyArgument) => setProxyEnabled(context, argument, true),
  [Command.disableProxy]: (context, argument: ProxyArgument) => setProxyEnabled(context, argument, false),
  [Command.editProxyInSettings]: (context, argument: ProxyArgument) => editProxyInSettings(context, argument),
  [Command.showLogs]: async (context) => context.log.show(),
  [Command.copyConnectionConfig]: (context, client: ClientKind | undefined) => copyConnectionConfig(context, client),
  [Command.importServers]: (context, file: vscode.Uri | undefined) => importServers(context, file),
  [Command.refresh]: refresh,
  [Command.restartServer]: restartServer,
  [Command.setSecret]: (context, key: string | undefined) => setSecret(context, key),
};

/** Registers every command; a command that fails says so in one sentence with a way to the logs. */
export function registerCommands(context: SwitchboardContext): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(COMMANDS).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          await handler(context, ...args);
        } catch (error) {
          context.log.error(`${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          await showError(`MCP Switchboard: ${messageOf(error)}`, { title: 'Show Logs', run: () => context.log.show() });
        }
      }),
    ),
  );
}
