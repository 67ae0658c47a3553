import * as vscode from 'vscode';

/** Buttons an error message can offer, each doing what it says. */
export type ErrorAction = { readonly title: string; readonly run: () => Thenable<unknown> | Promise<unknown> | void };

/** The text of an error, for messages that add their own context. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Shows a one-sentence error with buttons, and runs the one the user clicks. */
export async function showError(message: string, ...actions: ErrorAction[]): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, ...actions.map((action) => action.title));
  await actions.find((action) => action.title === choice)?.run();
}
