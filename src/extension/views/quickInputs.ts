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
  /**
   * A slower check (one that reads the disk, say) run when `validate` finds
   * nothing; what it finds shows if the value is still the one it checked.
   * Enter never waits for it.
   */
  readonly check?: (value: string) => Promise<Validation>;
  /** Called with the value as the user types, so a flow can keep it when they go Back. */
  readonly onDidChangeValue?: (value: string) => void;
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepPosition {
  readonly placeholder: string;
  readonly items: readonly T[];
  readonly canPickMany?: boolean;
  readonly matchOnDescription?: boolean;
  readonly matchOnDetail?: boolean;
  /**
   * Lets the user type a value the list does not have: returns the item the
   * typed text stands for, or why it cannot be one (shown in the list, and
   * Enter on it does nothing). Without it only listed items can be picked.
   */
  readonly typed?: (value: string) => T | string | undefined;
}

/** The row that says why the typed text cannot be picked. */
interface ProblemItem extends vscode.QuickPickItem {
  readonly problem: true;
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
    let latestCheck = 0;
    const validate = (value: string) => {
      const problem = options.validate(value);
      box.validationMessage = problem;
      const check = options.check;
      if (problem !== undefined || check === undefined) return;
      const ticket = ++latestCheck;
      check(value).then(
        (found) => {
          if (ticket === latestCheck && box.value === value) box.validationMessage = found;
        },
        () => undefined, // A check that fails says nothing: Enter still validates.
      );
    };
    // A value brought back by Back is checked at once, as if just typed.
    if (box.value !== '') validate(box.value);
    return this.run(box, (settle) => [
      box.onDidChangeValue((value) => {
        options.onDidChangeValue?.(value);
        validate(value);
      }),
      box.onDidAccept(() => {
        latestCheck++;
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
    const quickPick = vscode.window.createQuickPick<T | ProblemItem>();
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
    const typed = options.typed;
    return this.run(quickPick, (settle: (result: T | readonly T[]) => void) => [
      quickPick.onDidChangeValue((value) => {
        if (typed === undefined) return;
        const item = value.trim() === '' || options.items.some((candidate) => candidate.label === value) ? undefined : typed(value);
        const first: (T | ProblemItem)[] =
          item === undefined ? [] : typeof item === 'string' ? [{ label: `$(warning) ${item}`, alwaysShow: true, problem: true }] : [{ ...item, alwaysShow: true }];
        quickPick.items = [...first, ...options.items];
      }),
      quickPick.onDidAccept(() => {
        const chosen = (options.canPickMany ? quickPick.selectedItems : quickPick.activeItems.slice(0, 1)).filter(isChoice);
        if (options.canPickMany) settle(chosen);
        else if (chosen[0]) settle(chosen[0]);
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

function isChoice<T extends vscode.QuickPickItem>(item: T | ProblemItem): item is T {
  return !('problem' in item && item.problem === true);
}

function blocks(problem: Validation): boolean {
  if (problem === undefined) return false;
  return typeof problem === 'string' || problem.severity === vscode.InputBoxValidationSeverity.Error;
}
