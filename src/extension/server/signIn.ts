import * as vscode from 'vscode';
import type { HostRequest, ToExtensionMessage, ToServerMessage } from '../../core/ipc';
import type { StatusStore } from './statusStore';
import type { SwitchboardLink } from './switchboardLink';

type SignInResult = Extract<ToExtensionMessage, { type: 'signInResult' }>;

/**
 * SecretStorage keys of OAuth credentials: one per proxy (`oauth:<name>`),
 * holding its records by server URL, so Sign Out and removal delete one key.
 * `${secret:KEY}` in settings reads only `proxySecret:` keys, never these.
 */
const CREDENTIALS_PREFIX = 'oauth:';

/**
 * The extension's half of signing in to servers that need OAuth: the OAuth
 * client runs in the server process, and asks here for what only VS Code has:
 * SecretStorage for the tokens, asExternalUri for the redirect URL (so a
 * remote window's callback reaches the user's browser), and openExternal.
 * Also sends the user's Sign In and Sign Out to the server, and says so when
 * a connected proxy loses its sign-in.
 */
export class SignInBroker implements vscode.Disposable {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: SignInResult) => void>();
  private readonly subscriptions: vscode.Disposable[];
  /** Changes of one proxy's key in order, so two of its URLs written at once both stay. */
  private writes: Promise<void> = Promise.resolve();
  /** The states last seen, to notice a proxy that was connected and now waits for sign-in. */
  private lastStates = new Map<string, string>();

  constructor(
    private readonly link: SwitchboardLink,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    statuses: StatusStore,
    private readonly signInAgain: (name: string) => Thenable<unknown>,
  ) {
    this.subscriptions = [
      link.onDidReceiveMessage((message) => {
        if (message.type === 'signInResult') this.settle(message.id, message);
        else if (message.type === 'hostRequest') this.answer(message.id, message.request);
      }),
      // A server that went away answers nothing more: what waited on it ends now.
      link.onDidChangePhase((phase) => {
        if (phase.kind !== 'running') this.failAll('The switchboard server stopped during the sign-in; sign in again.');
      }),
      statuses.onDidChange(() => this.noticeLostSignIns(statuses)),
    ];
  }

  /**
   * Signs a proxy in, with a cancellable notification while the browser is
   * out. Resolves when it is signed in; rejects with the server's one-sentence reason.
   */
  async signIn(name: string): Promise<void> {
    await this.link.ensureRunning();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Signing in to ${name}…`, cancellable: true },
      async (progress, cancellation) => {
        progress.report({ message: 'Finish in your browser.' });
        const cancelled = cancellation.onCancellationRequested(() => this.link.send({ type: 'cancelSignIn', name }));
        try {
          await this.request('signIn', name);
        } finally {
          cancelled.dispose();
        }
      },
    );
  }

  /** Forgets a proxy's tokens and client registration, in the server (which reconnects it) and here. */
  async signOut(name: string): Promise<void> {
    await this.link.ensureRunning();
    await this.request('signOut', name);
  }

  /** The stored text of a proxy's credentials, for the tests' check that they are here. */
  async storedText(proxy: string): Promise<string | undefined> {
    return await this.secrets.get(keyOf(proxy));
  }

  /** Deletes every credential kept for a proxy: when the user removes it. */
  async forgetProxy(name: string): Promise<void> {
    await this.change(name, () => undefined);
  }

  private request(type: 'signIn' | 'signOut', name: string): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (result) => (result.ok ? resolve() : reject(new Error(result.error ?? `${type} failed.`))));
      if (!this.link.send({ type, id, name })) this.settle(id, { type: 'signInResult', id, ok: false, error: 'The switchboard server is not running.' });
    });
  }

  private settle(id: number, result: SignInResult): void {
    this.waiting.get(id)?.(result);
    this.waiting.delete(id);
  }

  private failAll(error: string): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, { type: 'signInResult', id, ok: false, error });
  }

  /** One notification when a proxy that was connected now waits for sign-in (a revoked token, more permissions asked). */
  private noticeLostSignIns(statuses: StatusStore): void {
    const next = new Map(statuses.all().map((status) => [status.name, status.state]));
    for (const status of statuses.all()) {
      if (status.state !== 'needs-sign-in' || this.lastStates.get(status.name) !== 'connected') continue;
      void vscode.window
        .showWarningMessage(`MCP Switchboard: ${status.name} needs you to sign in again. ${status.error ?? ''}`.trim(), 'Sign In')
        .then((choice) => (choice === 'Sign In' ? this.signInAgain(status.name) : undefined)); // The command reports its own failure.
    }
    this.lastStates = next;
  }

  private answer(id: number, request: HostRequest): void {
    // Ids start again in each server process: an answer for one that has gone since must not reach its successor.
    const asker = this.link.processId;
    const reply = (result: Omit<Extract<ToServerMessage, { type: 'hostResult' }>, 'type' | 'id'>) => {
      if (this.link.processId === asker) this.link.send({ type: 'hostResult', id, ...result });
    };
    this.perform(request).then(
      (value) => reply({ ok: true, ...(value !== undefined && { value }) }),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.log.warn(`Sign-in: ${request.op} failed: ${message}`);
        reply({ ok: false, error: message });
      },
    );
  }

  private async perform(request: HostRequest): Promise<unknown> {
    switch (request.op) {
      case 'readCredentials':
        return (await this.records(request.key.proxy))[request.key.serverUrl];
      case 'writeCredentials':
        return await this.change(request.key.proxy, (records) => ({ ...records, [request.key.serverUrl]: request.credentials }));
      case 'forgetCredentials': {
        const { serverUrl } = request;
        if (serverUrl === undefined) return await this.forgetProxy(request.proxy);
        return await this.change(request.proxy, ({ [serverUrl]: _forgotten, ...rest }) => rest);
      }
      case 'redirectUrl':
        // In a remote window the callback listens on the remote host; the browser reaches it through this URI.
        return (await vscode.env.asExternalUri(vscode.Uri.parse(request.loopbackUrl))).toString(true);
      case 'openBrowser': {
        this.log.info(`Sign in to ${request.proxy}: opening ${request.url}`);
        const opened = await vscode.env.openExternal(vscode.Uri.parse(request.url, true));
        if (!opened) throw new Error('the sign-in page was not opened (declined, or no browser).');
        return undefined;
      }
    }
  }

  /** A proxy's records by server URL; a damaged entry counts as none (the proxy signs in again). */
  private async records(proxy: string): Promise<Record<string, unknown>> {
    try {
      const parsed: unknown = JSON.parse((await this.secrets.get(keyOf(proxy))) ?? '{}');
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  private change(proxy: string, edit: (records: Record<string, unknown>) => Record<string, unknown> | undefined): Promise<void> {
    const run = this.writes.then(async () => {
      const next = edit(await this.records(proxy));
      if (next === undefined || Object.keys(next).length === 0) await this.secrets.delete(keyOf(proxy));
      else await this.secrets.store(keyOf(proxy), JSON.stringify(next));
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    this.failAll('VS Code is closing.');
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

function keyOf(proxy: string): string {
  return `${CREDENTIALS_PREFIX}${proxy}`;
}
