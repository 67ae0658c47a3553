import * as vscode from 'vscode';
import type { ProxyStatus } from '../core/status';
import type { AgentChangeQuestion } from './agentChanges';
import type { SwitchboardContext } from './context';
import type { ProxyTreeData, ProxyTreeNode } from './proxyTree';
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
  /** Pretends the workspace is untrusted (false) or trusted (true); undefined asks VS Code again. Test runs only. */
  simulateWorkspaceTrust(trusted: boolean | undefined): void;
  /** The Proxies view as it renders now: each item with its children, down to the tools. */
  treeSnapshot(): TreeSnapshotItem[];
}

/** One rendered tree item. */
export interface TreeSnapshotItem {
  readonly label: string;
  readonly description: string | undefined;
  readonly tooltip: string | undefined;
  readonly icon: string | undefined;
  readonly contextValue: string | undefined;
  readonly checked: boolean | undefined;
  readonly children: TreeSnapshotItem[];
}

export function createTestApi(context: SwitchboardContext, tree: ProxyTreeData): SwitchboardTestApi {
  const original = context.askUser;
  const onlyUnderTest = (what: string) => {
    if (context.extension.extensionMode === vscode.ExtensionMode.Production) {
      throw new Error(`${what} is only available when the extension runs under test.`);
    }
  };
  return {
    serverProcessId: () => context.supervisor.processId,
    whenServerReady: () => context.supervisor.ensureRunning(),
    phase: () => context.supervisor.phase,
    statuses: () => context.statuses.all(),
    onDidChangeStatuses: context.statuses.onDidChange,
    onDidShowQuickInput: context.quickInputs.onDidShow,
    answerAgentChanges: (answer) => {
      onlyUnderTest('answerAgentChanges');
      context.askUser = answer ? async (question) => answer(question) : original;
    },
    simulateWorkspaceTrust: (trusted) => {
      onlyUnderTest('simulateWorkspaceTrust');
      context.trust.simulate(trusted);
    },
    treeSnapshot: () => snapshot(tree, undefined),
  };
}

function snapshot(tree: ProxyTreeData, parent: ProxyTreeNode | undefined): TreeSnapshotItem[] {
  return tree.getChildren(parent).map((node) => {
    const item = tree.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value;
    const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
    const checkbox = item.checkboxState;
    const state = typeof checkbox === 'object' ? checkbox.state : checkbox;
    return {
      label,
      description: typeof item.description === 'string' ? item.description : undefined,
      tooltip,
      icon,
      contextValue: item.contextValue,
      checked: state === undefined ? undefined : state === vscode.TreeItemCheckboxState.Checked,
      children: snapshot(tree, node),
    };
  });
}
