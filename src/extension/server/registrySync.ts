import * as vscode from 'vscode';
import type { ToServerMessage } from '../../core/ipc';
import type { ProxyMount } from '../../core/registry/registry';
import type { ConfigStore, ConfiguredProxy } from '../settings/config';
import { type ProxySecrets, secretKeysOf } from '../settings/secrets';
import type { SwitchboardLink } from './switchboardLink';
import { blockedReason, type WorkspaceTrust } from '../settings/trust';

type RegistryMessage = Extract<ToServerMessage, { type: 'registry' }>;

/**
 * Keeps the server's registry equal to settings: builds the `registry` message
 * (effective entries, their scope, trust blocks, secret values, the tool
 * surface and the profiles) and sends it
 * whenever settings, trust or secrets change. The server diffs, so resending is cheap.
 */
export class RegistrySync implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  /** Pushes are chained so an older registry never overtakes a newer one. */
  private pushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: ConfigStore,
    private readonly secrets: ProxySecrets,
    private readonly link: SwitchboardLink,
    private readonly trust: WorkspaceTrust,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const push = () => void this.push();
    this.subscriptions = [
      config.onDidChange(push),
      secrets.onDidChange((key) => void this.reconnectUsersOf(key)),
      trust.onDidChange(push),
      // A change made while the process was starting missed it: catch up once it is ready.
      link.onDidChangePhase((phase) => phase.kind === 'running' && push()),
    ];
  }

  /** The registry as the server should mount it now. */
  async build(): Promise<RegistryMessage> {
    const proxies: Record<string, ProxyMount> = {};
    const neededSecrets = new Map<string, string>();
    for (const proxy of this.config.current.proxies.values()) {
      const blocked = blockedReason(proxy, this.trust.isTrusted);
      proxies[proxy.name] = { entry: proxy.entry, scope: proxy.scope, ...(blocked !== undefined && { blockedReason: blocked }) };
      if (this.willConnect(proxy)) {
        for (const key of secretKeysOf(proxy.entry)) neededSecrets.set(key, proxy.name);
      }
    }
    const { values, missing } = await this.secrets.read(neededSecrets.keys());
    for (const key of missing) this.secrets.remindMissing(key, neededSecrets.get(key) ?? '');
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const { mode, threshold, profiles } = this.config.current.surface;
    return { type: 'registry', proxies, secrets: values, ...(workspaceFolder !== undefined && { workspaceFolder }), surface: { mode, threshold, profiles } };
  }

  /** Sends the current registry to the running server (a starting one asks for it itself). */
  push(): Promise<void> {
    const next = this.pushing.then(async () => {
      if (this.link.phase.kind !== 'running') return;
      const message = await this.build();
      if (this.link.send(message)) this.log.debug(`Sent the registry: ${Object.keys(message.proxies).join(', ') || '(empty)'}.`);
    });
    this.pushing = next.catch((error: unknown) => {
      this.log.error(`Could not send the registry to the server: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.pushing;
  }

  /**
   * Sends the new secret, then reconnects the proxies that use it: the server
   * reads secrets only when it connects, so a waiting proxy would otherwise
   * keep its backoff (up to 30 s) and a connected one its old value.
   */
  private async reconnectUsersOf(key: string): Promise<void> {
    await this.push();
    for (const proxy of this.config.current.proxies.values()) {
      if (this.willConnect(proxy) && secretKeysOf(proxy.entry).includes(key)) {
        this.link.send({ type: 'restartProxy', name: proxy.name });
      }
    }
  }

  /** Whether the server connects this proxy (enabled, not blocked by trust), so it needs its secrets. */
  private willConnect(proxy: ConfiguredProxy): boolean {
    return proxy.entry.enabled !== false && blockedReason(proxy, this.trust.isTrusted) === undefined;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
