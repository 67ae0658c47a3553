import * as vscode from 'vscode';
import type { HostRequest, ToExtensionMessage } from '../core/ipc';
import { type CredentialKey, credentialId } from '../core/oauth/credentials';
import type { ServerSupervisor } from './supervisor';

type SignInResult = Extract<ToExtensionMessage, { type: 'signInResult' }>;

/** SecretStorage keys of OAuth credentials; a `${secret:KEY}` in settings reads only `proxySecret:` keys, never these. */
const CREDENTIALS_PREFIX = 'oauth:';
/** The ids stored per proxy, so Sign Out and removal can delete them all (SecretStorage cannot list its keys). */
const INDEX_KEY = 'oauth:index';

/**
 * The extension's half of signing in to servers that need OAuth: the OAuth
 * client runs in the server process, and asks here for what only VS Code has:
 * SecretStorage for the tokens, asExternalUri for the redirect URL (so a
 * remote window's callback reaches the user's browser), and openExternal.
 * Also sends the user's Sign In and Sign Out to the server, one at a time.
 */
export class SignInBroker implements vscode.Disposable {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: SignInResult) => void>();
  private readonly subscription: vscode.Disposable;
  /** Writes of the index in order, so two proxies signing in at once both stay listed. */
  private indexWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly supervisor: ServerSupervisor,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = supervisor.onDidReceiveMessage((message) => {
      if (message.type === 'signInResult') {
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      } else if (message.type === 'hostRequest') {
        this.answer(message.id, message.request);
      }
    });
  }

  /**
   * Signs a proxy in, with a cancellable notification while the browser is
   * out. Resolves when it is signed in; rejects with the server's one-sentence reason.
   */
  async signIn(name: string): Promise<void> {
    await this.supervisor.ensureRunning();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Signing in to ${name}…`, cancellable: true },
      async (progress, cancellation) => {
        progress.report({ message: 'Finish in your browser.' });
        const cancelled = cancellation.onCancellationRequested(() => this.supervisor.send({ type: 'cancelSignIn', name }));
        try {
          await this.request('signIn', name);
        } finally {
          cancelled.dispose();
        }
      },
    );
  }

  /** Forgets a proxy's tokens and client registration. */
  async signOut(name: string): Promise<void> {
    await this.supervisor.ensureRunning();
    await this.request('signOut', name);
  }

  private request(type: 'signIn' | 'signOut', name: string): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (result) => (result.ok ? resolve() : reject(new Error(result.error ?? `${type} failed.`))));
      if (!this.supervisor.send({ type, id, name })) {
        this.waiting.delete(id);
        reject(new Error('The switchboard server is not running.'));
      }
    });
  }

  private answer(id: number, request: HostRequest): void {
    this.perform(request).then(
      (value) => this.supervisor.send({ type: 'hostResult', id, ok: true, ...(value !== undefined && { value }) }),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.log.warn(`Sign-in: ${request.op} failed: ${message}`);
        this.supervisor.send({ type: 'hostResult', id, ok: false, error: message });
      },
    );
  }

  private async perform(request: HostRequest): Promise<unknown> {
    switch (request.op) {
      case 'readCredentials': {
        const text = await this.secrets.get(storageKey(request.key));
        return text === undefined ? undefined : (JSON.parse(text) as unknown);
      }
      case 'writeCredentials':
        await this.remember(request.key);
        await this.secrets.store(storageKey(request.key), JSON.stringify(request.credentials));
        return undefined;
      case 'forgetCredentials':
        await this.forget(request.proxy);
        return undefined;
      case 'redirectUrl':
        // In a remote window the callback listens on the remote host; the browser reaches it through this URI.
        return (await vscode.env.asExternalUri(vscode.Uri.parse(request.loopbackUrl))).toString(true);
      case 'openBrowser': {
        this.log.info(`Sign in to ${request.proxy}: opening ${request.url}`);
        const opened = await vscode.env.openExternal(vscode.Uri.parse(request.url, true));
        if (!opened) throw new Error('VS Code could not open the browser.');
        return undefined;
      }
    }
  }

  private async remember(key: CredentialKey): Promise<void> {
    await this.editIndex((index) => {
      const ids = new Set(index[key.proxy] ?? []);
      ids.add(credentialId(key));
      return { ...index, [key.proxy]: [...ids] };
    });
  }

  private async forget(proxy: string): Promise<void> {
    await this.editIndex(async (index) => {
      await Promise.all((index[proxy] ?? []).map((id) => this.secrets.delete(`${CREDENTIALS_PREFIX}${id}`)));
      const { [proxy]: _forgotten, ...rest } = index;
      return rest;
    });
  }

  private editIndex(change: (index: Record<string, string[]>) => Record<string, string[]> | Promise<Record<string, string[]>>): Promise<void> {
    const run = this.indexWrites.then(async () => {
      const next = await change(await this.readIndex());
      await this.secrets.store(INDEX_KEY, JSON.stringify(next));
    });
    this.indexWrites = run.catch(() => undefined);
    return run;
  }

  private async readIndex(): Promise<Record<string, string[]>> {
    try {
      const parsed: unknown = JSON.parse((await this.secrets.get(INDEX_KEY)) ?? '{}');
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].every((id) => typeof id === 'string')),
      );
    } catch {
      return {}; // A damaged index forgets the list, not the tokens; they are overwritten at the next sign-in.
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const settle of this.waiting.values()) settle({ type: 'signInResult', id: 0, ok: false, error: 'VS Code is closing.' });
    this.waiting.clear();
  }
}

function storageKey(key: CredentialKey): string {
  return `${CREDENTIALS_PREFIX}${credentialId(key)}`;
}
