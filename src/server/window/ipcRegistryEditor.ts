import type { ToExtensionMessage, ToServerMessage } from '../../core/ipc';
import type { RegistryEditor } from '../../core/front/managementTools';
import type { ProxyEntry } from '../../core/registry/registry';

type ChangeResult = Extract<ToServerMessage, { type: 'changeResult' }>;

/**
 * A window's answer to add_proxy and remove_proxy: ask the extension,
 * which confirms with the user and writes settings, then sends the new registry.
 * The server itself never writes VS Code settings.
 */
export class IpcRegistryEditor implements RegistryEditor {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: ChangeResult) => void>();

  constructor(private readonly send: (message: ToExtensionMessage) => void) {}

  add(name: string, entry: ProxyEntry, scope: 'user' | 'workspace' | undefined): Promise<void> {
    return this.request({ op: 'add', name, entry, ...(scope !== undefined && { scope }) });
  }

  remove(name: string): Promise<void> {
    return this.request({ op: 'remove', name });
  }

  /** Completes the request a `changeResult` answers. */
  settle(result: ChangeResult): void {
    this.waiting.get(result.id)?.(result);
    this.waiting.delete(result.id);
  }

  /** Refuses every request still waiting: the window that was asked went away. */
  abandon(reason: string): void {
    for (const [id, settle] of this.waiting) settle({ type: 'changeResult', id, ok: false, error: reason });
    this.waiting.clear();
  }

  private request(change: Omit<Extract<ToExtensionMessage, { type: 'requestChange' }>, 'type' | 'id'>): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (result) => (result.ok ? resolve() : reject(new Error(result.error ?? 'the change was refused.'))));
      this.send({ type: 'requestChange', id, ...change });
    });
  }
}
