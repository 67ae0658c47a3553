import { randomBytes } from 'node:crypto';

/** How much one session keeps for replay, over all its call streams; the oldest events go first. */
export interface ReplayLimits {
  readonly events: number;
  readonly bytes: number;
}

/** Enough for a long call's progress and a large answer that arrives while its client is reconnecting. */
export const REPLAY_LIMITS: ReplayLimits = { events: 1_000, bytes: 16 * 1024 * 1024 };

/** One event's data: a JSON-RPC message as JSON text, or as the bytes a backend sent. */
export type EventData = string | Buffer;

interface KeptEvent {
  /** Place in the session's order of events, for dropping the oldest first. */
  readonly order: number;
  readonly seq: number;
  readonly data: EventData;
  readonly bytes: number;
}

interface StreamRecord {
  /** The last sequence number given; 0 is the stream's priming event, which carries no message. */
  lastSeq: number;
  /** Events up to this sequence number are no longer kept: the limits dropped them. */
  droppedThrough: number;
  readonly kept: KeptEvent[];
}

/** What a Last-Event-ID resumes: the stream and the events after it, or why it cannot. */
export type Resumption =
  | { readonly ok: true; readonly stream: number; readonly events: readonly { readonly id: string; readonly data: EventData }[] }
  | { readonly ok: false; readonly status: 400 | 410; readonly message: string };

const EVENT_ID = /^([0-9a-f]{8})\.(\d{1,15})\.(\d{1,15})$/;

/**
 * The events a session's call streams sent, kept until each stream completes,
 * so that a client that lost a stream's connection (or that the front closed
 * it on, to make it poll) gets what it missed when it comes back with
 * Last-Event-ID. Event ids name the session (by a random tag, so an id from
 * another session is told apart), the stream and the event's place in it.
 */
export class ReplayLog {
  private readonly tag = randomBytes(4).toString('hex');
  private readonly streams = new Map<number, StreamRecord>();
  private lastStream = 0;
  private lastOrder = 0;
  private keptEvents = 0;
  private keptBytes = 0;

  constructor(private readonly limits: ReplayLimits = REPLAY_LIMITS) {}

  /** Starts keeping a new stream; returns its number and the id of its priming event. */
  open(): { stream: number; primingId: string } {
    const stream = ++this.lastStream;
    this.streams.set(stream, { lastSeq: 0, droppedThrough: 0, kept: [] });
    return { stream, primingId: this.eventId(stream, 0) };
  }

  /** Keeps one event of an open stream and returns its id. */
  record(stream: number, data: EventData): string {
    const record = this.streams.get(stream);
    if (!record) throw new Error(`Stream ${stream} is not open.`);
    const seq = ++record.lastSeq;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (bytes > this.limits.bytes) {
      // Larger than all a session may keep: not kept, rather than pushing out every other stream's events.
      // Nothing before it can be resumed either, so what the stream kept goes too.
      this.forgetKept(record);
      record.droppedThrough = seq;
      return this.eventId(stream, seq);
    }
    record.kept.push({ order: ++this.lastOrder, seq, data, bytes });
    this.keptEvents++;
    this.keptBytes += bytes;
    while (this.keptEvents > this.limits.events || this.keptBytes > this.limits.bytes) this.dropOldest();
    return this.eventId(stream, seq);
  }

  /** The stream a Last-Event-ID belongs to and what it sent after that event, or a refusal that says why not. */
  eventsAfter(lastEventId: string): Resumption {
    const match = EVENT_ID.exec(lastEventId);
    if (!match) {
      return refuse(400, `Bad request: Last-Event-ID "${lastEventId}" is not an event id this switchboard gave.`);
    }
    const [, tag = '', streamText = '', seqText = ''] = match;
    if (tag !== this.tag) {
      return refuse(400, `Bad request: Last-Event-ID "${lastEventId}" was given in another session; a stream resumes only in the session it belongs to.`);
    }
    const stream = Number(streamText);
    const seq = Number(seqText);
    if (stream < 1 || stream > this.lastStream) {
      return refuse(400, `Bad request: Last-Event-ID "${lastEventId}" names no stream of this session.`);
    }
    const record = this.streams.get(stream);
    if (!record) {
      return refuse(410, `Gone: the stream of event "${lastEventId}" has ended (its answer was delivered, or the call was cancelled); there is nothing left to resume.`);
    }
    if (seq > record.lastSeq) {
      return refuse(400, `Bad request: Last-Event-ID "${lastEventId}" names an event its stream has not sent.`);
    }
    if (seq < record.droppedThrough) {
      return refuse(
        410,
        `Gone: events after "${lastEventId}" are no longer kept (a session keeps at most ${this.limits.events} events and ${Math.round(this.limits.bytes / 1024 / 1024)} MiB for replay).`,
      );
    }
    const events = record.kept.filter((event) => event.seq > seq);
    return { ok: true, stream, events: events.map((event) => ({ id: this.eventId(stream, event.seq), data: event.data })) };
  }

  /** Forgets a stream and what it kept: it completed, or its call was cancelled. */
  drop(stream: number): void {
    const record = this.streams.get(stream);
    if (!record) return;
    this.streams.delete(stream);
    this.forgetKept(record);
  }

  /** Forgets everything: the session ended. */
  clear(): void {
    this.streams.clear();
    this.keptEvents = 0;
    this.keptBytes = 0;
  }

  private forgetKept(record: StreamRecord): void {
    for (const event of record.kept) {
      this.keptEvents--;
      this.keptBytes -= event.bytes;
    }
    record.kept.length = 0;
  }

  private dropOldest(): void {
    let oldest: StreamRecord | undefined;
    for (const record of this.streams.values()) {
      const first = record.kept[0];
      if (first && (!oldest || first.order < (oldest.kept[0] as KeptEvent).order)) oldest = record;
    }
    const event = oldest?.kept.shift();
    if (!oldest || !event) {
      // Nothing is left to drop; the counts can only be stale.
      this.keptEvents = 0;
      this.keptBytes = 0;
      return;
    }
    oldest.droppedThrough = event.seq;
    this.keptEvents--;
    this.keptBytes -= event.bytes;
  }

  private eventId(stream: number, seq: number): string {
    return `${this.tag}.${stream}.${seq}`;
  }
}

function refuse(status: 400 | 410, message: string): Resumption {
  return { ok: false, status, message };
}
