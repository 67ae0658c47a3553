import * as assert from 'node:assert/strict';
import { BackendGroups, type ProcessRow, type ProcessTable } from '../../src/extension/server/backendGroups';

// What the supervisor ends after its server died, decided from a process
// table given here; the real table and real processes are tested in the VS
// Code bed (test/vscode/serverProcess.test.ts).

const SERVER = 100;

/** A process table in memory: rows to list, groups that are alive, and the signals sent to them. */
class FakeTable implements ProcessTable {
  rows: ProcessRow[] = [];
  readonly alive = new Set<number>();
  /** Groups that stop at SIGTERM; the others only at SIGKILL. */
  readonly politeGroups = new Set<number>();
  readonly signals: string[] = [];
  listing: Promise<void> | undefined;

  async list(): Promise<ProcessRow[]> {
    await this.listing;
    return [...this.rows];
  }

  async find(pid: number): Promise<ProcessRow | undefined> {
    return this.rows.find((row) => row.pid === pid);
  }

  signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
    if (!this.alive.has(group)) return false;
    if (signal === 0) return true;
    this.signals.push(`${signal} ${group}`);
    if (signal === 'SIGKILL' || this.politeGroups.has(group)) this.alive.delete(group);
    return true;
  }
}

const row = (pid: number, parent: number, group = pid, started = `t${pid}`): ProcessRow => ({ pid, parent, group, started });

/** Lets the background read that note() starts finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('backend process groups a dead server left', () => {
  it('ends the groups its children led: SIGTERM, then SIGKILL for those still there after the grace', async () => {
    const table = new FakeTable();
    table.rows = [row(SERVER, 1, 50), row(201, SERVER), row(202, SERVER), row(203, 201, 201), row(204, SERVER, 50), row(300, 7)];
    for (const group of [201, 202, 300, 50]) table.alive.add(group);
    table.politeGroups.add(201);
    const groups = new BackendGroups(table, 100);
    groups.note(SERVER);
    await settle();

    // Killed: its children now have another parent, which a later read must not take as "no backends".
    table.rows = table.rows.filter((candidate) => candidate.pid !== SERVER).map((candidate) => (candidate.parent === SERVER ? { ...candidate, parent: 1 } : candidate));
    assert.equal(await groups.end(SERVER), 2);
    // 204 shares the server's own group (the extension host's): never signalled. 300 is not the server's.
    assert.deepEqual(table.signals, ['SIGTERM 201', 'SIGTERM 202', 'SIGKILL 202']);
  });

  it('keeps the last record when a read finishes after the server died', async () => {
    const table = new FakeTable();
    table.rows = [row(201, SERVER)];
    table.alive.add(201);
    table.politeGroups.add(201);
    const groups = new BackendGroups(table, 100);
    groups.note(SERVER);
    await settle();

    let finishListing = () => undefined as void;
    table.listing = new Promise((resolve) => (finishListing = resolve));
    groups.note(SERVER);
    table.rows = [{ ...row(201, 1) }];
    const ended = groups.end(SERVER);
    finishListing();
    assert.equal(await ended, 1);
    assert.deepEqual(table.signals, ['SIGTERM 201']);
  });

  it('leaves alone a pid that a later process got, and groups that are already gone', async () => {
    const table = new FakeTable();
    table.rows = [row(201, SERVER), row(202, SERVER)];
    table.alive.add(201);
    const groups = new BackendGroups(table, 100);
    groups.note(SERVER);
    await settle();

    // 201 is now another process (other start time) that leads a group of its own; 202 ended with its group.
    table.rows = [row(201, 1, 201, 'later')];
    assert.equal(await groups.end(SERVER), 0);
    assert.deepEqual(table.signals, []);
  });

  it('ends nothing after a clean stop, and answers a second call with the same work', async () => {
    const table = new FakeTable();
    table.rows = [row(201, SERVER)];
    const groups = new BackendGroups(table, 100);
    groups.note(SERVER);
    await settle();
    table.rows = [];
    const first = groups.end(SERVER);
    assert.equal(groups.end(SERVER), first);
    assert.equal(await first, 0);
  });
});
