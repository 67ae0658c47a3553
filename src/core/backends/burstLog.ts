/** How long after a warning like ones are only counted. */
const QUIET_MS = 10_000;

/**
 * Logs the first warning of each kind in a burst and counts the rest, then
 * says how many more came: a backend that misbehaves a thousand times a
 * second is visible in the log without flooding it.
 */
export class BurstLog {
  private readonly bursts = new Map<string, { more: number; timer: NodeJS.Timeout }>();

  constructor(private readonly warn: (line: string) => void) {}

  /** Logs `line` unless a warning of the same kind was logged in the last few seconds. */
  report(kind: string, line: string): void {
    const burst = this.bursts.get(kind);
    if (burst) {
      burst.more++;
      return;
    }
    this.warn(line);
    const timer = setTimeout(() => {
      const ended = this.bursts.get(kind);
      this.bursts.delete(kind);
      if (ended && ended.more > 0) this.warn(`…and ${ended.more} more like that in ${QUIET_MS / 1000} s.`);
    }, QUIET_MS);
    timer.unref();
    this.bursts.set(kind, { more: 0, timer });
  }

  /** Forgets pending counts (the backend is gone). */
  dispose(): void {
    for (const burst of this.bursts.values()) clearTimeout(burst.timer);
    this.bursts.clear();
  }
}
