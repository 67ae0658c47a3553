import type { ListKind } from '../backends/backendLists';
import type { FrontSession } from '../switchboard';

/**
 * After telling clients that lists changed, further changes are gathered this
 * long, so a burst (twenty backends connecting) is a few notifications, not
 * twenty; the first change of a quiet spell is told at once.
 */
const LIST_CHANGED_QUIET_MS = 20;

/** Tells every client session which lists changed, a burst of changes at a time. */
export class ListChangeNotices {
  private readonly pending = new Set<ListKind>();
  /** Set while a notification is due or was just sent: changes wait for it to fire. */
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(private readonly sessions: ReadonlyMap<string, FrontSession>) {}

  /** Notes that these lists changed; told at the end of this turn of the event loop, so changes made together (a registry edit) are told together. */
  add(kinds: readonly ListKind[]): void {
    if (this.sessions.size === 0) return;
    for (const kind of kinds) this.pending.add(kind);
    this.timer ??= setImmediate(() => this.flush());
  }

  dispose(): void {
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
  }

  /** Tells clients what changed, then holds further changes for a quiet spell. */
  private flush(): void {
    const kinds = [...this.pending];
    this.pending.clear();
    if (kinds.length === 0) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.flush(), LIST_CHANGED_QUIET_MS);
    for (const session of this.sessions.values()) {
      for (const kind of kinds) {
        const sent =
          kind === 'tools' ? session.server.sendToolListChanged() : kind === 'resources' ? session.server.sendResourceListChanged() : session.server.sendPromptListChanged();
        void sent.catch(() => undefined); // A client that left needs no notification.
      }
    }
  }
}
