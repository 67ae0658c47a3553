/** Reconnect delays: 1 s doubling to 30 s, so a crashing backend costs little and a recovered one returns soon. */
export const BACKOFF_INITIAL_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
/** A connection that stayed up this long resets the backoff: its next failure is treated as new. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

/** The delay before reconnect attempt `attempt` (0-based). */
export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(attempt, 16));
}
