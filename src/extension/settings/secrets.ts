import * as vscode from 'vscode';
import type { ProxyEntry } from '../../core/registry/registry';
import type { QuickInputs } from '../views/quickInputs';
import type { AskUser } from '../server/userQuestions';

const SECRET_REFERENCE = /\$\{secret:([^}]+)\}/g;
/** SecretStorage keys are namespaced so a key typed in settings cannot read another part of the extension's storage. */
const STORAGE_PREFIX = 'proxySecret:';

/** The `${secret:KEY}` keys an entry refers to, wherever they appear. */
export function secretKeysOf(entry: ProxyEntry): string[] {
  const keys = new Set<string>();
  for (const match of JSON.stringify(entry).matchAll(SECRET_REFERENCE)) {
    if (match[1] !== undefined) keys.add(match[1]);
  }
  return [...keys];
}

/** Whether an entry reads anything from the user's machine that a settings file should not be able to send away. */
export function readsUserSecrets(entry: ProxyEntry): boolean {
  return /\$\{(secret|env):/.test(JSON.stringify(entry));
}

/**
 * Values for `${secret:KEY}`, kept in VS Code's SecretStorage (the OS keychain),
 * never in settings. The registry message carries them to the server process,
 * which expands them when it connects.
 */
export class ProxySecrets implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the KEY whose value was stored or deleted. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** Keys the user was already asked about this session: one reminder each, not one per settings change. */
  private readonly reminded = new Set<string>();

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly quickInputs: QuickInputs,
    private readonly ask: AskUser,
  ) {
    this.subscription = storage.onDidChange((event) => {
      if (event.key.startsWith(STORAGE_PREFIX)) this.changed.fire(event.key.slice(STORAGE_PREFIX.length));
    });
  }

  /** Reads the values of `keys`; the ones that are not stored are listed as missing. */
  async read(keys: Iterable<string>): Promise<{ values: Record<string, string>; missing: string[] }> {
    const values: Record<string, string> = {};
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const value = await this.storage.get(STORAGE_PREFIX + key);
      if (value === undefined) missing.push(key);
      else values[key] = value;
    }
    return { values, missing };
  }

  /** Asks the user for the value of `key` (masked) and stores it. Returns false when they cancel. */
  async prompt(key: string, usedBy?: string): Promise<boolean> {
    const value = await this.quickInputs.text({
      title: `Secret "${key}"`,
      prompt: `Value of \${secret:${key}}${usedBy ? `, used by proxy "${usedBy}"` : ''}. It is kept in the OS keychain, never in settings.`,
      password: true,
      validate: (text) => (text.length === 0 ? 'Enter the value, or press Escape to cancel.' : undefined),
    });
    if (typeof value !== 'string') return false;
    await this.storage.store(STORAGE_PREFIX + key, value);
    return true;
  }

  /** Offers, once per key per session, to enter a secret a proxy needs. */
  remindMissing(key: string, usedBy: string): void {
    if (this.reminded.has(key)) return;
    this.reminded.add(key);
    // A notification, not a modal: it may follow any settings change, and the proxy only waits for the value.
    void this.ask({ message: `Proxy "${usedBy}" needs the secret "${key}", which is not set.`, allow: 'Enter Secret', modal: false }).then(
      (enter) => enter && this.prompt(key, usedBy),
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
