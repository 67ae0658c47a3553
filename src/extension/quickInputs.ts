import * as vscode from 'vscode';

/** Returned by a step when the user pressed the Back button. */
export const BACK = Symbol('back');
export type Back = typeof BACK;

/** A problem with the value typed so far: an error blocks Enter, a warning only informs. */
export type Validation = string | vscode.InputBoxValidationMessage | undefined;

interface StepPosition {
  readonly title?: string;
  /** Where the input sits in a multi-step flow; a single question leaves both out. */
  readonly step?: number;
  readonly totalSteps?: number;
}

export interface TextStep extends StepPosition {
  readonly prompt: string;
  readonly placeholder?: string;
  readonly value?: string;
  readonly password?: boolean;
  readonly validate: (value: string) => Validation;
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepPosition {
  readonly placeholder: string;
  readonly items: readonly T[];
  readonly canPickMany?: boolean;
  readonly matchOnDescription?: boolean;
  readonly matchOnDetail?: boolean;
}

/**
 * Quick inputs, alone or as steps of a flow: each validates as the user types
 * and again on Enter, shows the reason inline, and from step 2 on offers Back.
 * Every input it shows is announced on onDidShow, so the feature tests can
 * type into the real widget.
 */
export class QuickInputs implements vscode.Disposable {
  private readonly shown = new vscode.EventEmitter<vscode.QuickInput>();
  readonly onDidShow = this.shown.event;

  /** Asks for a line of text; undefined when the user cancels. */
  text(options: TextStep): Promise<string | Back | undefined> {
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.step = options.step;
    box.totalSteps = options.totalSteps;
    box.prompt = options.prompt;
    box.placeholder = options.placeholder;
    box.value = options.value ?? '';
    box.password = options.password ?? false;
    box.ignoreFocusOut = true;
    box.buttons = backButtonFor(options);
    return this.run(box, (settle) => [
      box.onDidChangeValue((value) => {
        box.validationMessage = options.validate(value);
      }),
      box.onDidAccept(() => {
        const problem = options.validate(box.value);
        box.validationMessage = problem;
        if (!blocks(problem)) settle(box.value);
      }),
    ]);
  }

  /** Asks to pick one item (or several with canPickMany); undefined when the user cancels. */
  pick<T extends vscode.QuickPickItem>(options: PickStep<T> & { readonly canPickMany?: false }): Promise<T | Back | undefined>;
  pick<T extends vscode.QuickPickItem>(options: PickStep<T> & { readonly canPickMany: true }): Promise<readonly T[] | Back | undefined>;
  pick<T extends vscode.QuickPickItem>(options: PickStep<T>): Promise<T | readonly T[] | Back | undefined> {
    const quickPick = vscode.window.createQuickPick<T>();
    quickPick.title = options.title;
    quickPick.step = options.step;
    quickPick.totalSteps = options.totalSteps;
    quickPick.placeholder = options.placeholder;
    quickPick.items = options.items;
    quickPick.canSelectMany = options.canPickMany ?? false;
    quickPick.matchOnDescription = options.matchOnDescription ?? false;
    quickPick.matchOnDetail = options.matchOnDetail ?? false;
    if (options.canPickMany) quickPick.selectedItems = options.items.filter((item) => item.picked);
    quickPick.ignoreFocusOut = true;
    quickPick.buttons = backButtonFor(options);
    return this.run(quickPick, (settle) => [
      quickPick.onDidAccept(() => {
        if (options.canPickMany) settle(quickPick.selectedItems);
        else if (quickPick.activeItems[0]) settle(quickPick.activeItems[0]);
      }),
    ]);
  }

  dispose(): void {
    this.shown.dispose();
  }

  private run<R>(
    input: vscode.InputBox | vscode.QuickPick<vscode.QuickPickItem>,
    listen: (settle: (result: R) => void) => vscode.Disposable[],
  ): Promise<R | Back | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: R | Back | undefined) => {
        if (settled) return;
        settled = true;
        resolve(result);
        input.dispose();
        for (const subscription of subscriptions) subscription.dispose();
      };
      const subscriptions = [
        ...listen(settle),
        input.onDidTriggerButton((button) => button === vscode.QuickInputButtons.Back && settle(BACK)),
        input.onDidHide(() => settle(undefined)),
      ];
      input.show();
      this.shown.fire(input);
    });
  }
}

/** Back is offered from the second step of a flow on. */
function backButtonFor({ step }: StepPosition): vscode.QuickInputButton[] {
  return step !== undefined && step > 1 ? [vscode.QuickInputButtons.Back] : [];
}

function blocks(problem: Validation): boolean {
  if (problem === undefined) return false;
  return typeof problem === 'string' || problem.severity === vscode.InputBoxValidationSeverity.Error;
}
