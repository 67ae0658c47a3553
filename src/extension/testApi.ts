import * as vscode from 'vscode';
import type { ProxyStatus } from '../core/status';
import type { SwitchboardContext } from './context';
import { applyToolCheckboxes, type ProxyTreeData, type ProxyTreeNode } from './views/proxyTree';
import type { ServerPhase } from './server/switchboardLink';
import type { UserQuestion } from './server/userQuestions';

/**
 * What activate() returns: read-only views of the extension's state for the
 * feature tests, plus seams for what a test cannot click (the modals and
 * notifications, the tree's checkboxes, the quick input widgets it types into).
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
   * Answers the questions the extension asks before acting (agent changes,
   * Remove Proxy, a missing secret) instead of the user; undefined brings the
   * dialogs back. Only in development and test runs: a packaged extension must
   * never let another extension approve on the user's behalf.
   */
  answerQuestions(answer: ((question: UserQuestion) => boolean) | undefined): void;
  /** Pretends the workspace is untrusted (false) or trusted (true); undefined asks VS Code again. Test runs only. */
  simulateWorkspaceTrust(trusted: boolean | undefined): void;
  /** Ticks (true) or unticks a tool's checkbox in the Proxies view, as a click does. Test runs only. */
  setToolChecked(proxy: string, tool: string, checked: boolean): Promise<void>;
  /** The Proxies view as it renders now: each item with its children, down to the tools. */
  treeSnapshot(): TreeSnapshotItem[];
  /** The status bar item as it renders now. */
  statusBarSnapshot(): StatusBarSnapshot;
  /** What SecretStorage holds for a proxy's sign-in, as stored (to check tokens are there and nowhere else). Test runs only. */
  storedSignIn(proxy: string): Promise<string | undefined>;
}

/** One rendered tree item. */
export interface TreeSnapshotItem {
  readonly label: string;
  readonly description: string | undefined;
  readonly tooltip: string | undefined;
  readonly icon: string | undefined;
  readonly contextValue: string | undefined;
  readonly checked: boolean | undefined;
  /** The command a click on the row runs. */
  readonly command: string | undefined;
  readonly children: TreeSnapshotItem[];
}

/** The rendered status bar item. */
export interface StatusBarSnapshot {
  readonly text: string;
  /** The tooltip's markdown source, links included. */
  readonly tooltip: string | undefined;
  /** The theme colour id of the background; undefined for the normal one. */
  readonly background: string | undefined;
  /** What a screen reader says for it. */
  readonly accessibilityLabel: string | undefined;
  /** The command a click runs. */
  readonly command: string | undefined;
}

export function createTestApi(context: SwitchboardContext, tree: ProxyTreeData, statusBar: vscode.StatusBarItem): SwitchboardTestApi {
  const original = context.askUser;
  const onlyUnderTest = (what: string) => {
    if (context.extension.extensionMode === vscode.ExtensionMode.Production) {
      throw new Error(`${what} is only available when the extension runs under test.`);
    }
  };
  return {
    serverProcessId: () => context.link.processId,
    whenServerReady: () => context.link.ensureRunning(),
    phase: () => context.link.phase,
    statuses: () => context.statuses.all(),
    onDidChangeStatuses: context.statuses.onDidChange,
    onDidShowQuickInput: context.quickInputs.onDidShow,
    answerQuestions: (answer) => {
      onlyUnderTest('answerQuestions');
      context.askUser = answer ? async (question) => answer(question) : original;
    },
    simulateWorkspaceTrust: (trusted) => {
      onlyUnderTest('simulateWorkspaceTrust');
      context.trust.simulate(trusted);
    },
    setToolChecked: async (proxy, tool, checked) => {
      onlyUnderTest('setToolChecked');
      const status = context.model.row(proxy)?.status?.tools.find((candidate) => candidate.name === tool);
      if (!status) throw new Error(`The tree shows no tool "${tool}" under proxy "${proxy}".`);
      const node: ProxyTreeNode = { kind: 'tool', proxy, tool: status };
      const state = checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
      await applyToolCheckboxes([[node, state]], context.model, context.settings);
    },
    treeSnapshot: () => snapshot(tree, undefined),
    storedSignIn: async (proxy) => {
      onlyUnderTest('storedSignIn');
      return await context.signIns.storedText(proxy);
    },
    statusBarSnapshot: () => ({
      text: statusBar.text,
      tooltip: typeof statusBar.tooltip === 'string' ? statusBar.tooltip : statusBar.tooltip?.value,
      background: statusBar.backgroundColor?.id,
      accessibilityLabel: statusBar.accessibilityInformation?.label,
      command: typeof statusBar.command === 'string' ? statusBar.command : statusBar.command?.command,
    }),
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
      command: item.command?.command,
      children: snapshot(tree, node),
    };
  });
}
