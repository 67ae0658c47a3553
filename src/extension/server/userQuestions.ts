import * as vscode from 'vscode';

/** A question the user answers before the extension acts for them: one button says yes, dismissing says no. */
export interface UserQuestion {
  readonly message: string;
  /** More lines under the message; only a modal shows them. */
  readonly detail?: string;
  /** The label of the button that says yes. */
  readonly allow: string;
  /** A modal for what must not happen unseen (running a command, deleting); a notification for a reminder. */
  readonly modal: boolean;
}

/** Asks the user; resolves true only when they press the `allow` button. Replaceable so tests can answer. */
export type AskUser = (question: UserQuestion) => Promise<boolean>;

export const askWithWarning: AskUser = async ({ message, detail, allow, modal }) =>
  (await vscode.window.showWarningMessage(message, { modal, ...(detail !== undefined && { detail }) }, allow)) === allow;
