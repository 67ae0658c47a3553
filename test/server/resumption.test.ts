/**
 * Streams that resume (Streamable HTTP, 2025-11-25): a call that streams
 * progress gets event ids; a client that loses the connection comes back
 * with GET and Last-Event-ID and gets what it missed, the rest and the
 * answer; ids that are not this session's are refused in words; what is kept
 * is bounded; and a front told to poll closes quiet call streams, which the
 * SDK's client resumes by itself. The switchboard runs as a real process in
 * front of server-everything over stdio; the client is raw HTTP where the
 * test must drop a connection on purpose.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { eventually, everythingStdio, type RunningSwitchboard, startSwitchboard, text, waitForTool } from './harness';

const LONG_RUNNING = 'everything_trigger-long-running-operation';

/** One server-sent event as a client's parser sees it. */
interface ServerEvent {
  readonly id: string | undefined;
  readonly data: string;
  readonly retry: number | undefined;
}

/** An HTTP request whose answer is read as it arrives, as JSON or as an event stream; drop() hangs up mid-way. */
class Exchange {
  readonly events: ServerEvent[] = [];
  /** The JSON-RPC messages among the events (priming events carry none). */
  readonly messages: Record<string, unknown>[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  body = '';
  private ended = false;
  private readonly request: http.ClientRequest;
  private readonly waiters = new Set<() => void>();

  constructor(url: string, method: 'POST' | 'GET', headers: Record<string, string>, body?: unknown) {
    let pending = '';
    let event: { id?: string; data?: string[]; retry?: number } = {};
    this.request = http.request(url, { method, headers: { accept: 'application/json, text/event-stream', ...headers } }, (response) => {
      this.status = response.statusCode ?? 0;
      this.headers = response.headers;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        this.body += chunk;
        if (!String(response.headers['content-type']).startsWith('text/event-stream')) return;
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line === '') {
            if (event.data !== undefined) {
              const data = event.data.join('\n');
              this.events.push({ id: event.id, data, retry: event.retry });
              if (data !== '') this.messages.push(JSON.parse(data) as Record<string, unknown>);
            }
            event = {};
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') event.id = value;
          else if (field === 'data') (event.data ??= []).push(value);
          else if (field === 'retry') event.retry = Number(value);
        }
        this.wake();
      });
      const finish = () => {
        this.ended = true;
        this.wake();
      };
      response.once('end', finish);
      response.once('close', finish);
    });
    // A dropped exchange errs; until() reports an exchange that ended too soon.
    this.request.once('error', () => {
      this.ended = true;
      this.wake();
    });
    if (body === undefined) this.request.end();
    else this.request.end(JSON.stringify(body));
  }

  /** Waits until `condition` holds or the exchange ends; fails after `timeoutMs`. */
  async until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.ended) throw new Error(`The exchange ended before ${what}. Status ${this.status}, body:\n${this.body}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}. Body so far:\n${this.body}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Waits for the response to end (the server closed it). */
  async end(timeoutMs = 10_000): Promise<void> {
    await this.until('the end of the response', () => this.ended, timeoutMs).catch((error: Error) => {
      if (!this.ended) throw error;
    });
  }

  /** Hangs up, as a client whose connection dropped. */
  drop(): void {
    this.request.destroy();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
    this.waiters.clear();
  }
}

/** A raw Streamable HTTP session with the switchboard, speaking `protocol`. */
class Session {
  private nextId = 1;
  private constructor(
    private readonly url: string,
    readonly id: string,
    private readonly protocol: string,
  ) {}

  static async open(url: string, protocol = '2025-11-25'): Promise<Session> {
    const initialize = new Exchange(url, 'POST', { 'content-type': 'application/json' }, {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: protocol, capabilities: {}, clientInfo: { name: 'resumption-test', version: '1.0.0' } },
    });
    await initialize.end();
    assert.equal(initialize.status, 200, initialize.body);
    const id = String(initialize.headers['mcp-session-id']);
    const session = new Session(url, id, protocol);
    const initialized = session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await initialized.end();
    assert.equal(initialized.status, 202);
    return session;
  }

  private get headers(): Record<string, string> {
    return { 'content-type': 'application/json', 'mcp-session-id': this.id, 'mcp-protocol-version': this.protocol };
  }

  post(message: Record<string, unknown>): Exchange {
    return new Exchange(this.url, 'POST', this.headers, message);
  }

  /** POSTs tools/call with a progress token; returns the exchange and the request id. */
  call(name: string, args: Record<string, unknown>, progressToken?: string): { exchange: Exchange; id: number } {
    const id = this.nextId++;
    const params = { name, arguments: args, ...(progressToken !== undefined && { _meta: { progressToken } }) };
    return { exchange: this.post({ jsonrpc: '2.0', id, method: 'tools/call', params }), id };
  }

  /** GETs the call stream back from `lastEventId`. */
  resume(lastEventId: string): Exchange {
    return new Exchange(this.url, 'GET', { 'mcp-session-id': this.id, 'mcp-protocol-version': this.protocol, 'last-event-id': lastEventId });
  }
}

function progressValues(messages: readonly Record<string, unknown>[]): number[] {
  return messages
    .filter((message) => message['method'] === 'notifications/progress')
    .map((message) => (message['params'] as { progress: number }).progress);
}

function answerOf(messages: readonly Record<string, unknown>[], id: number): Record<string, unknown> | undefined {
  return messages.find((message) => message['id'] === id && message['method'] === undefined);
}

function errorMessage(exchange: Exchange): string {
  return (JSON.parse(exchange.body) as { error: { message: string } }).error.message;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

describe('streams that resume (Streamable HTTP front)', function () {
  this.timeout(60_000);

  describe('a front that keeps streams open', () => {
    let switchboard: RunningSwitchboard;

    before(async () => {
      switchboard = await startSwitchboard({ everything: everythingStdio }, ['--no-auth']);
      const client = await switchboard.connect();
      await waitForTool(client, LONG_RUNNING);
      await client.close();
    });
    after(async () => switchboard?.stop());

    it('a call with progress whose client dropped mid-way resumes with Last-Event-ID: the rest, then the answer, then the stream is gone', async () => {
      const session = await Session.open(switchboard.url);
      const { exchange: first, id } = session.call(LONG_RUNNING, { duration: 2, steps: 8 }, 'resume-me');
      await first.until('three progress notifications', () => progressValues(first.messages).length >= 3);
      assert.match(String(first.headers['content-type']), /^text\/event-stream/);
      const [priming] = first.events;
      assert.ok(priming?.id, 'the stream opens with an event id');
      assert.equal(priming.data, '', 'the priming event carries no message');
      assert.equal(priming.retry, 500, 'and tells the client when to come back');
      assert.ok(
        first.events.every((event) => event.id !== undefined),
        'every event has an id',
      );
      first.drop();
      const seenBefore = progressValues(first.messages);
      const lastSeen = first.events.at(-1)?.id as string;
      // Progress goes on while the client is away.
      await new Promise((resolveWait) => setTimeout(resolveWait, 600));

      const resumed = session.resume(lastSeen);
      await resumed.end();
      assert.equal(resumed.status, 200, resumed.body);
      assert.match(String(resumed.headers['content-type']), /^text\/event-stream/);
      const seenAfter = progressValues(resumed.messages);
      assert.deepEqual([...seenBefore, ...seenAfter], range(1, 8), 'each progress step arrives once, in order, across both connections');
      const answer = answerOf(resumed.messages, id);
      assert.ok(answer, `the answer comes on the resumed stream; it sent:\n${resumed.body}`);
      assert.match(text(answer['result']), /Long running operation completed/);
      assert.equal(resumed.messages.at(-1), answer, 'the answer is the last event, and the stream ends with it');
      const sequence = [...first.events, ...resumed.events].map((event) => Number(event.id?.split('.').at(-1)));
      assert.deepEqual(sequence, range(0, sequence.length - 1), 'the resumed events continue where the client left off');

      // Delivered: the stream and what it kept are dropped.
      const again = session.resume(lastSeen);
      await again.end();
      assert.equal(again.status, 410, again.body);
      assert.match(errorMessage(again), /has ended/);
    });

    it('refuses, in words, an event id that is not one, one of another session, and one of no stream of this session', async () => {
      const [mine, other] = await Promise.all([Session.open(switchboard.url), Session.open(switchboard.url)]);
      const streamed = async (session: Session) => {
        const { exchange } = session.call(LONG_RUNNING, { duration: 0.2, steps: 2 }, 'ids');
        await exchange.end();
        return exchange.events[0]?.id as string;
      };
      const [myId, foreignId] = await Promise.all([streamed(mine), streamed(other)]);
      const [tag] = myId.split('.');
      const cases: { lastEventId: string; message: RegExp }[] = [
        { lastEventId: 'not-an-event-id', message: /is not an event id this switchboard gave/ },
        { lastEventId: foreignId, message: /was given in another session/ },
        { lastEventId: `${tag}.99.1`, message: /names no stream of this session/ },
      ];
      for (const { lastEventId, message } of cases) {
        const refused = mine.resume(lastEventId);
        await refused.end();
        assert.equal(refused.status, 400, `${lastEventId}: ${refused.body}`);
        assert.match(errorMessage(refused), message);
        assert.ok(errorMessage(refused).includes(lastEventId), 'the refusal names the id');
      }
      // The session is unharmed.
      const { exchange, id } = mine.call('everything_echo', { message: 'still here' });
      await exchange.end();
      assert.equal(exchange.status, 200);
      assert.match(text((JSON.parse(exchange.body) as { id: number; result: unknown }).result), /still here/);
      assert.equal((JSON.parse(exchange.body) as { id: number }).id, id);
    });

    it('a call that streams nothing is still one plain JSON answer', async () => {
      const session = await Session.open(switchboard.url);
      const { exchange } = session.call('everything_echo', { message: 'plain' });
      await exchange.end();
      assert.equal(exchange.status, 200);
      assert.match(String(exchange.headers['content-type']), /^application\/json/);
      assert.ok(exchange.headers['content-length'], 'with its length');
    });

    it('an older client (2025-06-18) gets ids but no priming event, and its stream is not closed on it', async () => {
      const session = await Session.open(switchboard.url, '2025-06-18');
      const { exchange, id } = session.call(LONG_RUNNING, { duration: 0.4, steps: 2 }, 'old');
      await exchange.end();
      assert.deepEqual(progressValues(exchange.messages), [1, 2]);
      assert.ok(answerOf(exchange.messages, id));
      assert.ok(exchange.events.every((event) => event.data !== '' && event.retry === undefined && event.id !== undefined));
    });

    it('keeps at most 1,000 events of a session for replay, the newest: older ones are refused, the rest resumes', async () => {
      const session = await Session.open(switchboard.url);
      const steps = 1_100;
      const { exchange: first, id } = session.call(LONG_RUNNING, { duration: 1.1, steps }, 'many');
      await first.until('1,050 progress notifications', () => progressValues(first.messages).length >= 1_050, 30_000);
      first.drop();
      const seen = progressValues(first.messages);
      const primingId = first.events[0]?.id as string;

      const fromStart = session.resume(primingId);
      await fromStart.end();
      assert.equal(fromStart.status, 410, fromStart.body);
      assert.match(errorMessage(fromStart), /no longer kept \(a session keeps at most 1000 events and 16 MiB for replay\)/);

      const fromLastSeen = session.resume(first.events.at(-1)?.id as string);
      await fromLastSeen.end(30_000);
      assert.equal(fromLastSeen.status, 200, fromLastSeen.body);
      assert.deepEqual([...seen, ...progressValues(fromLastSeen.messages)], range(1, steps));
      assert.match(text(answerOf(fromLastSeen.messages, id)?.['result']), /Steps: 1100/);
    });
  });

  describe('a front told to poll (--sse-poll)', () => {
    let switchboard: RunningSwitchboard;

    before(async () => {
      switchboard = await startSwitchboard({ everything: everythingStdio }, ['--no-auth', '--sse-poll', '300']);
      const client = await switchboard.connect();
      await waitForTool(client, LONG_RUNNING);
      await client.close();
    });
    after(async () => {
      await switchboard?.stop();
    });

    it('closes a quiet call stream after sending a retry, and the client that keeps coming back gets every step and the answer', async () => {
      const session = await Session.open(switchboard.url);
      // A step every 600 ms; the front closes a connection that has had nothing to send for 300 ms.
      const { exchange: first, id } = session.call(LONG_RUNNING, { duration: 1.8, steps: 3 }, 'poll');
      const connections = [first];
      for (let exchange = first; ; ) {
        await exchange.end();
        assert.equal(exchange.status, 200, exchange.body);
        if (answerOf(exchange.messages, id)) break;
        assert.match(exchange.body, /retry: 500\n\n$/, 'a closed connection ends with a retry field');
        assert.ok(connections.length < 20, 'the call ends');
        // A connection closed before it had anything to send leaves the last id as it was.
        const lastId = connections.flatMap((connection) => connection.events.map((event) => event.id)).at(-1);
        exchange = session.resume(lastId as string);
        connections.push(exchange);
      }
      assert.deepEqual(progressValues(connections.flatMap((connection) => connection.messages)), [1, 2, 3]);
      assert.deepEqual(progressValues(first.messages), [1], 'the first connection closed while quiet after step 1');
      assert.ok(connections.length >= 3, `${connections.length} connections`);
    });

    it("the SDK's client resumes by itself and gets every progress step and the answer", async () => {
      let resumes = 0;
      const counting: typeof fetch = (input, init) => {
        if (new Headers(init?.headers).has('last-event-id')) resumes++;
        return fetch(input, init);
      };
      const client = new Client({ name: 'resumption-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(switchboard.url), { fetch: counting }));
      try {
        const progress: number[] = [];
        const result = await client.callTool({ name: LONG_RUNNING, arguments: { duration: 2, steps: 4 } }, undefined, {
          onprogress: ({ progress: value }) => progress.push(value),
        });
        assert.match(text(result), /Long running operation completed/);
        assert.deepEqual(progress, [1, 2, 3, 4]);
        assert.ok(resumes >= 1, `the client came back with Last-Event-ID ${resumes} time(s)`);
      } finally {
        await client.close();
      }
    });

    it('never closes on a client that does not speak 2025-11-25', async () => {
      const session = await Session.open(switchboard.url, '2025-06-18');
      const { exchange, id } = session.call(LONG_RUNNING, { duration: 1.2, steps: 2 }, 'old');
      await exchange.end();
      assert.deepEqual(progressValues(exchange.messages), [1, 2]);
      assert.ok(answerOf(exchange.messages, id), 'the answer on the first and only connection');
    });
  });
});

describe('a request for a client that opened no event stream', function () {
  this.timeout(20_000);

  it('fails within seconds instead of leaving the backend waiting for its timeout', async () => {
    const switchboard = await startSwitchboard({ everything: everythingStdio });
    try {
      await eventually('the backend up', () => /everything: connected/.test(switchboard.stderr()) || undefined);
      const headers = { authorization: `Bearer ${switchboard.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const opened = await fetch(switchboard.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: { roots: { listChanged: true } }, clientInfo: { name: 'no-stream', version: '1' } } }),
      });
      const session = opened.headers.get('mcp-session-id') ?? '';
      await opened.text();
      const started = Date.now();
      // Initialized tells backends a client with roots came; the backend asks for them, and this client never opens a GET.
      await fetch(switchboard.url, { method: 'POST', headers: { ...headers, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
      await eventually('the backend to hear the refusal', () => /Failed to request roots from client .*no event stream open/.test(switchboard.stderr()) || undefined, 10_000);
      assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
    } finally {
      await switchboard.stop();
    }
  });
});
