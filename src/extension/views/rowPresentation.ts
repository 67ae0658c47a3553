import * as vscode from 'vscode';
import type { ProxyRow } from './proxyModel';

/** How a proxy's state looks: one codicon and colour per state, shared by the tree and the pickers. */
export function stateIcon(row: ProxyRow): { readonly id: string; readonly color?: string } {
  switch (row.state) {
    case 'connected':
      return { id: 'pass-filled', color: 'testing.iconPassed' };
    case 'connecting':
      return { id: 'loading~spin' };
    case 'needs-sign-in':
      return row.status?.signingIn ? { id: 'loading~spin' } : { id: 'account', color: 'problemsWarningIcon.foreground' };
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
  if (row.state === 'needs-sign-in') return row.status?.signingIn ? 'signing in…' : 'needs sign-in';
  return row.state === 'invalid' ? 'invalid settings' : row.state;
}

/** Disabled by trust rather than by the user. */
export function isBlocked(row: ProxyRow): boolean {
  return row.state === 'disabled' && row.problem !== undefined;
}

/** A connected proxy's tools: "17 tools", or "16 of 17 tools" when its filters hide some (as its Tools group says). */
export function toolCountLabel(row: ProxyRow): string {
  const shown = row.toolCount;
  const total = row.status?.tools.length ?? shown;
  if (shown === total) return `${total} ${total === 1 ? 'tool' : 'tools'}`;
  return `${shown} of ${total} tools`;
}

const SHORT_REASON_LENGTH = 60;

/**
 * What is wrong in a few words, for a row's description: the first sentence of
 * the message, without the part that repeats what the row already says (the
 * proxy's name, the command it runs), cut at a word. The tooltip has it all.
 */
export function shortReason(problem: string): string {
  let text = problem.trim().replace(/^Proxy "[^"]*": /, '');
  text = text.split(/(?<=[.!?])\s+(?=[A-Z"$(`])/, 1)[0] ?? text;
  // Asides in parentheses are for the tooltip.
  text = text.replace(/[.!?]$/, '').replace(/\s*\([^()]*\)/g, '');
  // `Cannot run "npx" in "/folder": …` names the target the row is about; the reason is what follows.
  const named = /^Cannot [a-z ]+ "[^"]*"(?: in "[^"]*")?: (.+)$/.exec(text);
  if (named?.[1]) text = named[1];
  if (/^[A-Z][a-z]/.test(text)) text = text.charAt(0).toLowerCase() + text.slice(1);
  if (text.length <= SHORT_REASON_LENGTH) return text;
  const cut = text.slice(0, SHORT_REASON_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${(space > SHORT_REASON_LENGTH / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}
