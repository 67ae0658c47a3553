import * as vscode from 'vscode';
import type { ProxyModel } from './proxyModel';

/** Shows window progress ("MCP Switchboard: connecting github, files") while any proxy is connecting. */
export function showConnectingProgress(model: ProxyModel): vscode.Disposable {
  let message = '';
  let progress: vscode.Progress<{ message: string }> | undefined;
  let finish: (() => void) | undefined;

  const update = () => {
    const connecting = model.rows().filter((row) => row.state === 'connecting').map((row) => row.name);
    if (connecting.length === 0) {
      finish?.();
      finish = undefined;
      return;
    }
    message = `connecting ${connecting.join(', ')}`;
    progress?.report({ message });
    if (finish) return;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'MCP Switchboard' }, (windowProgress) => {
      progress = windowProgress;
      windowProgress.report({ message });
      return done.finally(() => {
        if (progress === windowProgress) progress = undefined;
      });
    });
  };

  const subscription = model.onDidChange(update);
  update();
  return new vscode.Disposable(() => {
    subscription.dispose();
    finish?.();
  });
}
