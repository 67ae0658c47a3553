import * as vscode from 'vscode';
import type { ProxyModel } from './proxyModel';

/** Shows window progress ("MCP Switchboard: connecting github, files") while any proxy is connecting. */
export function showConnectingProgress(model: ProxyModel): vscode.Disposable {
  let running: { report: (message: string) => void; finish: () => void } | undefined;

  const update = () => {
    const connecting = model.rows().filter((row) => row.state === 'connecting').map((row) => row.name);
    if (connecting.length === 0) {
      running?.finish();
      running = undefined;
      return;
    }
    const message = `connecting ${connecting.join(', ')}`;
    if (running) {
      running.report(message);
      return;
    }
    let latest = message;
    let report = (next: string) => {
      latest = next;
    };
    let finish = () => undefined as void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    running = { report: (next) => report(next), finish: () => finish() };
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'MCP Switchboard' }, (progress) => {
      report = (next) => progress.report({ message: next });
      report(latest);
      return done;
    });
  };

  const subscription = model.onDidChange(update);
  update();
  return new vscode.Disposable(() => {
    subscription.dispose();
    running?.finish();
  });
}
