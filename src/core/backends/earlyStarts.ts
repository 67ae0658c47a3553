import { type BackendProcess, launchBackend, signalGroup, type StdioBackendParameters } from './backendProcess';

/** How long a process started early waits to be taken over before it is ended. */
const UNCLAIMED_MS = 10_000;

/**
 * Stdio backends started before the switchboard has loaded the rest of
 * itself, so that each boots while the switchboard does. The Backend that
 * would start the very same process (same command, arguments, environment
 * and folder) takes it over instead; one that nobody takes in time (its entry
 * turned out invalid, or changed meanwhile) is ended.
 */
export class EarlyStarts {
  private readonly waiting = new Map<string, BackendProcess[]>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setTimeout(() => this.dispose(), UNCLAIMED_MS);
    this.timer.unref();
  }

  /** Starts a backend's process now, for a Backend to take over later. */
  start(parameters: StdioBackendParameters): void {
    const key = keyOf(parameters);
    this.waiting.set(key, [...(this.waiting.get(key) ?? []), launchBackend(parameters)]);
  }

  /** The process started early with exactly these parameters, if any; it is the caller's from now on. */
  take(parameters: StdioBackendParameters): BackendProcess | undefined {
    const key = keyOf(parameters);
    const started = this.waiting.get(key);
    const taken = started?.shift();
    if (started?.length === 0) this.waiting.delete(key);
    return taken;
  }

  /** Ends every process nobody took. */
  dispose(): void {
    clearTimeout(this.timer);
    for (const started of this.waiting.values()) {
      for (const { child } of started) {
        child.stdin?.end();
        signalGroup(child, 'SIGKILL');
      }
    }
    this.waiting.clear();
  }
}

function keyOf(parameters: StdioBackendParameters): string {
  const env = Object.keys(parameters.env)
    .sort()
    .map((name) => [name, parameters.env[name]]);
  return JSON.stringify([parameters.command, parameters.args, env, parameters.cwd ?? null]);
}
