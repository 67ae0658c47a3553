import * as vscode from 'vscode';
import type { ProxyRow } from './proxyModel';

/** How a proxy's state looks: one codicon and colour per state, shared by the tree and the pickers. */
export function stateIcon(row: ProxyRow): { readonly id: string; readonly color?: string } {
  switch (row.state) {
    case 'connected':
      return { id: 'pass-filled', color: 'testing.iconPassed' };
    case 'connecting':
      return { id: 'loading~spin' };
    case 'error':
      return { id: 'error', color: 'problemsErrorIcon.foreground' };
    case 'invalid':
      return { id: 'warning', color: 'problemsWarningIcon.foreground' };
    case 'disabled':
      return isBlocked(row) ? { id: 'workspace-untrusted', color: 'problemsWarningIcon.foreground' } : { id: 'circle-slash' };
    case 'stopped':
      return { id: 'circle-outline' };
  }
}

export function stateThemeIcon(row: ProxyRow): vscode.ThemeIcon {
  const { id, color } = stateIcon(row);
  return new vscode.ThemeIcon(id, color === undefined ? undefined : new vscode.ThemeColor(color));
}

/** The state in words: "blocked" for a proxy the workspace's trust keeps from starting. */
export function stateLabel(row: ProxyRow): string {
  if (isBlocked(row)) return 'blocked';
  return row.state === 'invalid' ? 'invalid settings' : row.state;
}

/** Disabled by trust rather than by the user. */
export function isBlocked(row: ProxyRow): boolean {
  return row.state === 'disabled' && row.problem !== undefined;
}
