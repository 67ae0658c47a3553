import * as vscode from 'vscode';
import type { ProxyStatus } from '../core/status';
import type { AgentChangeQuestion } from './agentChanges';
import type { SwitchboardContext } from './context';
import type { ServerPhase } from './supervisor';

/**
 * What activate() returns: read-only views of the extension's state for the
 * feature tests, plus seams for what a test cannot click (the agent's modal,
 * the quick input widgets it types into).
 */
export interface SwitchboardTestApi {
  serverProcessId(): number | undefined;
  /** Starts the server if needed and resolves with its URL. */
  whenServerReady(): Promise<string>;
  phase(): ServerPhase;
  statuses(): ProxyStatus[];
  readonly onDidChangeStatuses: vscode.Event<void>;
  readonly onDidShowQuickInput: vscode.Event<vscode.QuickInput>;
  /**
   * Answers agent add/remove confirmations instead of the modal; undefined
   * brings the modal back. Only in development and test runs: a packaged
   * extension must never let another extension approve on the user's behalf.
   */
  answerAgentChanges(answer: ((question: AgentChangeQuestion) => boolean) | undefined): void;
}

export function createTestApi(context: SwitchboardContext): SwitchboardTestApi {
  const original = context.askUser;
  return {
    serverProcessId: () => context.supervisor.processId,
    whenServerReady: () => context.supervisor.ensureRunning(),
    phase: () => context.supervisor.phase,
    statuses: () => context.statuses.all(),
    onDidChangeStatuses: context.statuses.onDidChange,
    onDidShowQuickInput: context.quickInputs.onDidShow,
    answerAgentChanges: (answer) => {
      if (context.extension.extensionMode === vscode.ExtensionMode.Production) {
        throw new Error('answerAgentChanges is only available when the extension runs under test.');
      }
      context.askUser = answer ? async (question) => answer(question) : original;
    },
  };
}
