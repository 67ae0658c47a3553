import * as vscode from 'vscode';
import type { ConfiguredProxy } from './config';
import { readsUserSecrets } from './secrets';

/**
 * Why a proxy must not start in this workspace, or undefined when it may.
 * A workspace's settings come with the folder: in an untrusted folder they must
 * not run programs, nor send the user's secrets or environment anywhere.
 */
export function blockedReason(proxy: ConfiguredProxy, trusted = vscode.workspace.isTrusted): string | undefined {
  if (trusted || proxy.scope !== 'workspace') return undefined;
  if (proxy.entry.command !== undefined) {
    return 'Not started: this workspace is not trusted, and its settings may not run commands. Trust the workspace to start it.';
  }
  if (readsUserSecrets(proxy.entry)) {
    return 'Not started: this workspace is not trusted, and its settings may not use your secrets or environment. Trust the workspace to start it.';
  }
  return undefined;
}
