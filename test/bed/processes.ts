/**
 * Child processes of the test bed: run a step to completion, start a long-lived
 * server in its own process group, stop a whole process tree, and stop what
 * still runs in a profile after its tree has gone.
 *
 * VS Code's server forks extension hosts, the extension forks the switchboard,
 * and the switchboard starts stdio backends in process groups of their own. A
 * plain kill of the top process would orphan all of that, so stopping walks
 * the tree through /proc, asks politely first (so the extension can shut its
 * backends down itself) and then kills whatever is still there.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export class StepError extends Error {}

/** Runs a command to completion with inherited output; rejects with `what` and the exit status. */
export async function runStep(what: string, command: string, args: string[], options: SpawnOptions = {}): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  const code = await exitOf(child, what);
  if (code !== 0) throw new StepError(`${what} failed (${command} exited with ${code}); see the output above.`);
}

/** Runs a command and returns its stdout; its stderr goes to ours. */
export async function captureStep(what: string, command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await exitOf(child, what);
  if (code !== 0) throw new StepError(`${what} failed (${command} exited with ${code}); see the output above.`);
  return Buffer.concat(chunks).toString('utf8');
}

function exitOf(child: ChildProcess, what: string): Promise<number | string> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new StepError(`${what}: cannot start ${child.spawnfile}: ${error.message}`)));
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

/** Starts a long-lived process as the leader of a new process group. */
export function startDetached(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
}

/** Every process below `root` (children, grandchildren…), read from /proc; empty where there is no /proc. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces, so
      // the parent pid is read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const siblings = children.get(parent) ?? [];
      siblings.push(Number(entry));
      children.set(parent, siblings);
    } catch {
      // The process ended while we looked; nothing to stop.
    }
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/**
 * Stops `leader` (a process group leader started by startDetached) and every
 * process below it: SIGTERM to the group, up to `graceMs` for it to exit,
 * then SIGKILL to the group and to each descendant seen, including those that
 * moved to process groups of their own.
 */
export async function stopProcessTree(leader: number, graceMs = 5_000): Promise<void> {
  const seen = new Set([leader, ...descendantsOf(leader)]);
  signal(-leader, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...seen].some(isAlive)) {
    // New descendants may appear while the tree shuts down; keep them in view.
    for (const pid of descendantsOf(leader)) seen.add(pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  signal(-leader, 'SIGKILL');
  for (const pid of seen) signal(pid, 'SIGKILL');
}

/** The processes whose environment (as they were started) has `HOME=home`; empty where there is no /proc. */
export function processesOfHome(home: string): number[] {
  const wanted = `HOME=${home}`;
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      // An ended process that is not reaped yet has an empty command line, and nothing left to stop.
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === '') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(wanted)) found.push(Number(entry));
    } catch {
      // Ended while we looked, or not ours to read.
    }
  }
  return found;
}

/**
 * Stops every process that still runs with the profile's HOME: SIGTERM, up to
 * `graceMs` to exit, then SIGKILL. Processes that left code-server's tree —
 * a detached switchboard whose parent has gone — are found this way.
 */
export async function stopProcessesOfHome(home: string, graceMs = 5_000): Promise<void> {
  const left = processesOfHome(home);
  if (left.length === 0) return;
  console.log(`[bed] stopping ${left.length} process(es) still running in the profile: ${left.map((pid) => `${pid} (${commandOf(pid)})`).join(', ')}`);
  for (const pid of left) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  // Re-read rather than signalled: an ended process nobody has reaped yet
  // still answers signals, but has no environment left to match.
  const running = () => processesOfHome(home).filter((pid) => left.includes(pid));
  while (Date.now() < deadline && running().length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of running()) signal(pid, 'SIGKILL');
}

/** A process's command line, shortened for a log line. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 160);
  } catch {
    return 'ended';
  }
}
