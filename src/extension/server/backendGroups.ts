/**
 * The process groups of the stdio backends a server process started, kept so
 * that the supervisor can end what a server left running when it died without
 * ending them itself: killed (SIGKILL, the OOM killer), crashed, or forced
 * after the stop grace. A backend that waits on a request, or a grandchild
 * that holds none of its pipes, does not stop when its parent goes away.
 *
 * The server starts each stdio backend as the leader of its own process group,
 * as a direct child, so the groups are read from the process table: the
 * server's children that lead a group. POSIX only: Windows has no process
 * groups, and there the server's own stop is all there is.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** One row of the process table. */
export interface ProcessRow {
  readonly pid: number;
  readonly parent: number;
  readonly group: number;
  /** When the process started, in units of the system's choosing: tells a process from a later one with its pid. */
  readonly started?: string;
}

/** The I/O the groups need, injected so the logic can be tested without processes. */
export interface ProcessTable {
  /** Every process, or undefined where the table cannot be read. */
  list(): Promise<ProcessRow[] | undefined>;
  /** One process as it is now, undefined when there is none (a zombie counts as none). */
  find(pid: number): Promise<ProcessRow | undefined>;
  /** Sends a signal to a whole process group; false when the group is gone. */
  signalGroup(group: number, signal: NodeJS.Signals | 0): boolean;
}

/** How long the groups get after SIGTERM before SIGKILL. */
const END_GRACE_MS = 2_000;
const POLL_MS = 50;

interface ServerRecord {
  /** The backend groups as last seen: each leader's row. */
  leaders: readonly ProcessRow[];
  reading: boolean;
  readAgain: boolean;
  /** Set once the server exited: later reads would no longer see its children. */
  ending: Promise<number> | undefined;
}

/** Records the backend process groups of each server process, and ends those a server left behind. */
export class BackendGroups {
  private readonly servers = new Map<number, ServerRecord>();

  constructor(
    private readonly table: ProcessTable = systemProcessTable(),
    private readonly graceMs = END_GRACE_MS,
  ) {}

  /**
   * Reads the server's backend groups again, in the background: called when
   * the server reports a change, which follows every backend it starts.
   */
  note(serverPid: number): void {
    const record = this.recordOf(serverPid);
    if (record.ending) return;
    if (record.reading) {
      record.readAgain = true;
      return;
    }
    record.reading = true;
    void this.read(serverPid, record); // Never rejects; a failed read keeps the last record.
  }

  /**
   * After the server exited: ends every recorded group that is still there
   * (SIGTERM, then SIGKILL after the grace) and resolves with how many there were.
   * After a clean stop the server ended them itself and this finds none.
   */
  end(serverPid: number): Promise<number> {
    const record = this.recordOf(serverPid);
    record.ending ??= this.endGroups(record.leaders).finally(() => this.servers.delete(serverPid));
    return record.ending;
  }

  private recordOf(serverPid: number): ServerRecord {
    let record = this.servers.get(serverPid);
    if (!record) {
      record = { leaders: [], reading: false, readAgain: false, ending: undefined };
      this.servers.set(serverPid, record);
    }
    return record;
  }

  private async read(serverPid: number, record: ServerRecord): Promise<void> {
    do {
      record.readAgain = false;
      const rows = await this.table.list().catch(() => undefined);
      // A read that finished after the server died sees its children moved to another parent: keep the last one.
      if (rows && !record.ending) record.leaders = rows.filter((row) => row.parent === serverPid && row.group === row.pid);
    } while (record.readAgain && !record.ending);
    record.reading = false;
  }

  private async endGroups(leaders: readonly ProcessRow[]): Promise<number> {
    const groups: number[] = [];
    for (const leader of leaders) {
      // A leader that is still there must be the same process, not a later one that got its pid.
      // A leader that exited leaves its group id reserved while any member lives, so the group is still ours.
      const now = await this.table.find(leader.pid);
      if (now && (now.started !== leader.started || now.group !== leader.group)) continue;
      if (this.table.signalGroup(leader.group, 'SIGTERM')) groups.push(leader.group);
    }
    const deadline = Date.now() + this.graceMs;
    let left = groups;
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      left = left.filter((group) => this.table.signalGroup(group, 0));
    }
    for (const group of left) this.table.signalGroup(group, 'SIGKILL');
    return groups.length;
  }
}

/** The process table of this machine: /proc on Linux, `ps` on other POSIX systems, none on Windows. */
export function systemProcessTable(): ProcessTable {
  const signalGroup = (group: number, signal: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-group, signal);
      return true;
    } catch {
      return false; // No such group (ESRCH), or not ours to signal (EPERM).
    }
  };
  if (process.platform === 'win32') {
    return { list: async () => undefined, find: async () => undefined, signalGroup: () => false };
  }
  if (process.platform === 'linux') {
    return { list: listFromProc, find: (pid) => readProcStat(String(pid)), signalGroup };
  }
  return {
    list: listFromPs,
    find: async (pid) => (await listFromPs())?.find((row) => row.pid === pid),
    signalGroup,
  };
}

async function listFromProc(): Promise<ProcessRow[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const rows = await Promise.all(entries.filter((entry) => /^\d+$/.test(entry)).map(readProcStat));
  return rows.filter((row): row is ProcessRow => row !== undefined);
}

/** One /proc/<pid>/stat: the fields after the command name, which is in parentheses and may hold anything. */
async function readProcStat(pid: string): Promise<ProcessRow | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // It ended while we looked.
  }
  // After ')': state, ppid, pgrp, then 16 more fields up to starttime (field 22 of proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return { pid: Number(pid), parent: Number(fields[1]), group: Number(fields[2]), started: fields[19] ?? '' };
}

function listFromPs(): Promise<ProcessRow[] | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'pgid=', '-o', 'lstart='], { timeout: 10_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      const rows: ProcessRow[] = [];
      for (const line of stdout.split('\n')) {
        const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*?)\s*$/.exec(line);
        if (match) rows.push({ pid: Number(match[1]), parent: Number(match[2]), group: Number(match[3]), started: match[4] ?? '' });
      }
      resolve(rows);
    });
  });
}
