import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ToExtensionMessage } from '../../src/core/ipc';
import { windowIdSchema } from '../../src/core/user/windowChannel';
import { windowIdOf } from '../../src/extension/server/windowId';
import { NoSwitchboardListening, WindowRefused, WindowSocket } from '../../src/extension/server/windowSocket';

// The window's half of the window channel (core/user/windowChannel.ts)
// against a small stand-in for the shared switchboard on a Unix socket in a
// temporary folder: it answers the hello as told and records every line.
// The real switchboard is met in the VS Code bed (test/vscode/sharedSwitchboard.test.ts).

type Answer = (hello: unknown, socket: Socket) => void;

class FakeSwitchboard {
  readonly lines: unknown[] = [];
  readonly sockets: Socket[] = [];
  private readonly server: Server;

  constructor(readonly path: string, answer: Answer) {
    this.server = createServer((socket) => {
      this.sockets.push(socket);
      let first = true;
      createInterface({ input: socket }).on('line', (line) => {
        const value: unknown = JSON.parse(line);
        this.lines.push(value);
        if (first) answer(value, socket);
        first = false;
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.path, resolve));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const ready = (url: string): Answer => (_hello, socket) => socket.write(`${JSON.stringify({ type: 'ready', url })}\n`);
const HELLO = { type: 'hello', token: 'T'.repeat(43), window: 'w1', version: '0.1.0' } as const;

describe('The window socket to the shared switchboard', () => {
  let folder: string;
  let fake: FakeSwitchboard | undefined;
  const handlers = (into: ToExtensionMessage[] = [], problems: string[] = [], closed: { count: number } = { count: 0 }) => ({
    onMessage: (message: ToExtensionMessage) => into.push(message),
    onBadLine: (problem: string) => problems.push(problem),
    onClose: () => (closed.count += 1),
  });

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'window-socket-'));
  });

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    rmSync(folder, { recursive: true, force: true });
  });

  async function serve(answer: Answer): Promise<FakeSwitchboard> {
    fake = new FakeSwitchboard(join(folder, 'windows.sock'), answer);
    await fake.listen();
    return fake;
  }

  it('says hello first, resolves with the URL of ready, then passes messages both ways as lines', async () => {
    const board = await serve(ready('http://127.0.0.1:47115/w/w1/mcp'));
    const received: ToExtensionMessage[] = [];
    const socket = await WindowSocket.open(board.path, HELLO, handlers(received));
    assert.equal(socket.url, 'http://127.0.0.1:47115/w/w1/mcp');
    assert.deepEqual(board.lines[0], HELLO);

    assert.equal(socket.send({ type: 'restartProxy', name: 'a' }), true);
    const server = board.sockets[0]!;
    server.write(`${JSON.stringify({ type: 'log', level: 'info', line: 'one' })}\n${JSON.stringify({ type: 'state', proxies: [] })}\n`);
    await waitUntil(() => received.length === 2 && board.lines.length === 2);
    assert.deepEqual(board.lines[1], { type: 'restartProxy', name: 'a' });
    assert.deepEqual(received, [{ type: 'log', level: 'info', line: 'one' }, { type: 'state', proxies: [] }]);
    socket.close();
  });

  it('ignores a line that breaks the contract, says why, and goes on', async () => {
    const board = await serve(ready('http://127.0.0.1:1/w/w1/mcp'));
    const received: ToExtensionMessage[] = [];
    const problems: string[] = [];
    const socket = await WindowSocket.open(board.path, HELLO, handlers(received, problems));
    board.sockets[0]!.write(`not json\n${JSON.stringify({ type: 'state', proxies: 'many' })}\n${JSON.stringify({ type: 'log', level: 'warn', line: 'after' })}\n`);
    await waitUntil(() => received.length === 1);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /not JSON/);
    assert.deepEqual(received, [{ type: 'log', level: 'warn', line: 'after' }]);
    socket.close();
  });

  it('rejects with the reason of refused, and what it was', async () => {
    const board = await serve((_hello, socket) => socket.end(`${JSON.stringify({ type: 'refused', because: 'version', reason: 'version 0.2.0 runs' })}\n`));
    await assert.rejects(
      WindowSocket.open(board.path, HELLO, handlers()),
      (error: unknown) => error instanceof WindowRefused && error.message === 'version 0.2.0 runs' && error.because === 'version',
    );
  });

  it('says nobody listens when there is no socket, or only the file of a switchboard that was killed', async () => {
    const path = join(folder, 'windows.sock');
    await assert.rejects(WindowSocket.open(path, HELLO, handlers()), NoSwitchboardListening);
    // A killed process cannot remove its socket file: connecting to it is refused.
    const holder = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('listening'))`]);
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    assert.ok(existsSync(path));
    await assert.rejects(WindowSocket.open(path, HELLO, handlers()), NoSwitchboardListening);
  });

  it('reports a close by the switchboard once, and none for its own close', async () => {
    const board = await serve(ready('http://127.0.0.1:1/w/w1/mcp'));
    const closed = { count: 0 };
    const socket = await WindowSocket.open(board.path, HELLO, handlers([], [], closed));
    board.sockets[0]!.destroy();
    await waitUntil(() => closed.count === 1);
    assert.equal(socket.send({ type: 'restartProxy', name: 'a' }), false);

    const second = await WindowSocket.open(board.path, HELLO, handlers([], [], closed));
    second.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(closed.count, 1);
  });

  it('refuses an answer to the hello that is neither ready nor refused', async () => {
    const board = await serve((_hello, socket) => socket.write(`${JSON.stringify({ type: 'state', proxies: [] })}\n`));
    await assert.rejects(WindowSocket.open(board.path, HELLO, handlers()), /other than ready or refused/);
  });
});

describe("A window's id", () => {
  it('is the same for the same workspace, differs between workspaces, and is a valid window id', () => {
    const a = windowIdOf('file:///home/me/project');
    assert.equal(a, windowIdOf('file:///home/me/project'));
    assert.notEqual(a, windowIdOf('file:///home/me/other'));
    assert.equal(a.length, 22);
    assert.ok(windowIdSchema.safeParse(a).success);
  });

  it('is random for an empty window', () => {
    const id = windowIdOf(undefined);
    assert.notEqual(id, windowIdOf(undefined));
    assert.ok(windowIdSchema.safeParse(id).success);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
