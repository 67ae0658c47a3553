import * as vscode from 'vscode';
import type { SwitchboardContext } from '../context';
import type { ProxyRow } from '../views/proxyModel';
import type { ProxyTreeNode } from '../views/proxyTree';
import { BACK } from '../views/quickInputs';

/** What a proxy command receives: a tree node (context menu), a name (other code, tests), or nothing (palette). */
export type ProxyArgument = ProxyTreeNode | string | undefined;

/**
 * The proxy argument in what a command received: a name, or a node of the
 * Proxies view (a proxy, or one of its groups or items). Anything else (the
 * arguments other views or menus pass) counts as none, so the user picks.
 */
export function proxyArgumentOf(value: unknown): ProxyArgument {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || !('kind' in value)) return undefined;
  if (value.kind === 'proxy') return 'name' in value && typeof value.name === 'string' ? { kind: 'proxy', name: value.name } : undefined;
  return 'proxy' in value && typeof value.proxy === 'string' ? value.proxy : undefined;
}

/** The proxy a command is about: the one it was given, else the one the user picks. */
export async function proxyFromArgument(
  context: SwitchboardContext,
  argument: ProxyArgument,
  placeholder: string,
  filter: (row: ProxyRow) => boolean = () => true,
): Promise<ProxyRow | undefined> {
  const name =
    typeof argument === 'string' ? argument : argument?.kind === 'proxy' ? argument.name : argument && 'proxy' in argument ? argument.proxy : undefined;
  if (name !== undefined) {
    const row = context.model.row(name);
    if (!row) void vscode.window.showWarningMessage(`There is no proxy "${name}" in settings.`);
    return row;
  }
  const rows = context.model.rows().filter(filter);
  if (rows.length === 0) {
    void vscode.window.showInformationMessage('No proxy fits: add one with "MCP Switchboard: Add Proxy…".');
    return undefined;
  }
  const picked = await context.quickInputs.pick({
    placeholder,
    items: rows.map((row) => ({ label: row.name, description: `${row.state} · ${row.scope}`, detail: row.target, row })),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked === undefined || picked === BACK ? undefined : picked.row;
}
