import * as vscode from 'vscode';
import type { ProxyStatus } from '../../core/status';
import type { SwitchboardLink } from './switchboardLink';

/** The latest proxy states the server reported; emptied when the server process goes away. */
export class StatusStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private byName = new Map<string, ProxyStatus>();

  constructor(link: SwitchboardLink) {
    this.subscriptions = [
      link.onDidReceiveMessage((message) => {
        if (message.type !== 'state') return;
        this.byName = new Map(message.proxies.map((status) => [status.name, status]));
        this.changed.fire();
      }),
      link.onDidChangePhase((phase) => {
        if (phase.kind === 'running' || this.byName.size === 0) return;
        this.byName = new Map();
        this.changed.fire();
      }),
    ];
  }

  get(name: string): ProxyStatus | undefined {
    return this.byName.get(name);
  }

  all(): ProxyStatus[] {
    return [...this.byName.values()];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
