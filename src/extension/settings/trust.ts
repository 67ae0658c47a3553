import * as vscode from 'vscode';
import type { ConfiguredProxy } from './config';
import { readsUserSecrets } from './secrets';

/**
 * Whether this workspace is trusted, and when it becomes so. VS Code only ever
 * grants trust during a session; tests of an untrusted workspace can simulate
 * one because the test bed runs with trust turned off.
 */
export class WorkspaceTrust implements vscode.Disposable {
  private readonly granted = new vscode.EventEmitter<void>();
  readonly onDidChange = this.granted.event;
  private readonly subscription = vscode.workspace.onDidGrantWorkspaceTrust(() => this.granted.fire());
  private simulated: boolean | undefined;

  get isTrusted(): boolean {
    return this.simulated ?? vscode.workspace.isTrusted;
  }

  /** Test seam: pretend the workspace is (un)trusted; undefined goes back to VS Code's answer. */
  simulate(trusted: boolean | undefined): void {
    this.simulated = trusted;
    this.granted.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.granted.dispose();
  }
}

/**
 * Why a proxy must not start in this workspace, or undefined when it may.
 * A workspace's settings come with the folder: in an untrusted folder they must
 * not run programs, nor send the user's secrets or environment anywhere.
 */
export function blockedReason(proxy: ConfiguredProxy, trusted: boolean): string | undefined {
  if (trusted || proxy.scope !== 'workspace') return undefined;
  if (proxy.entry.command !== undefined) {
    return 'Not started: this workspace is not trusted, and its settings may not run commands. Trust the workspace to start it.';
  }
  if (readsUserSecrets(proxy.entry)) {
    return 'Not started: this workspace is not trusted, and its settings may not use your secrets or environment. Trust the workspace to start it.';
  }
  return undefined;
}
