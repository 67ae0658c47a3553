import type * as vscode from 'vscode';
import type { SwitchboardLink } from './switchboardLink';

/**
 * Copies the server's log lines into the "MCP Switchboard" channel at their
 * level, each backend's lines prefixed with its name. The channel's own level
 * (Output view ▸ gear, or "Developer: Set Log Level…") decides what shows.
 */
export function forwardServerLogs(link: SwitchboardLink, log: vscode.LogOutputChannel): vscode.Disposable {
  return link.onDidReceiveMessage((message) => {
    if (message.type !== 'log') return;
    const line = message.proxy === undefined ? message.line : `[${message.proxy}] ${message.line}`;
    log[message.level](line);
  });
}
