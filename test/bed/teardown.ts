/**
 * What a bed run must undo — the browser, code-server's process tree, the
 * throwaway profile — collected as it is set up and undone in reverse order,
 * whether the run passes, fails, throws or is interrupted (Ctrl+C, CI's kill).
 */
export class Teardown {
  private readonly steps: { what: string; undo: () => Promise<void> | void }[] = [];
  private running: Promise<void> | undefined;

  /** Registers `undo` to run at teardown, before everything registered earlier. */
  add(what: string, undo: () => Promise<void> | void): void {
    this.steps.push({ what, undo });
  }

  /** Runs every step once, newest first; a failing step is reported and the rest still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await step.undo();
        } catch (error) {
          console.error(`[bed] cleanup: ${step.what} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }

  /** Tears down and exits on SIGINT/SIGTERM/SIGHUP, with the shell's 128+n status. */
  onSignals(): void {
    const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
    for (const [name, number] of Object.entries(numbers)) {
      process.once(name as NodeJS.Signals, () => {
        console.error(`[bed] ${name}: stopping what the test bed started…`);
        void this.run().finally(() => process.exit(128 + (number ?? 0)));
      });
    }
  }
}
