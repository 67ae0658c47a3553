/**
 * Ends the user's shared switchboard once nobody uses it: no request open
 * (a connected client keeps its event stream open, so a client that is there
 * counts even while silent) for the whole grace. The grace lets a VS Code
 * window reload, or a client restart, without restarting every backend.
 */
export class IdleExit {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly graceMs: number,
    private readonly onIdle: () => void,
  ) {
    this.update(0); // Nobody has come yet: the first client gets the same grace.
  }

  /** Takes the number of requests open now. */
  update(openRequests: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (openRequests === 0) this.timer = setTimeout(this.onIdle, this.graceMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
