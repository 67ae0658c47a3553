import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ConfigStore } from './settings/config';
import { Command, OUTPUT_CHANNEL_NAME } from './constants';
import { ProxyModel } from './views/proxyModel';
import { ProxySecrets } from './settings/secrets';
import { ProxySettings } from './settings/proxySettings';
import { QuickInputs } from './views/quickInputs';
import { RegistrySync } from './server/registrySync';
import { ResourceDocuments } from './views/resourceDocuments';
import { StatusStore } from './server/statusStore';
import { SignInBroker } from './server/signIn';
import { ServerSupervisor } from './server/supervisor';
import { WorkspaceTrust } from './settings/trust';
import { type AskUser, askWithWarning } from './server/userQuestions';

/**
 * The extension's parts and their lifetimes. Everything created here is owned
 * here and disposed with it; commands and views receive this object.
 */
export class SwitchboardContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly config: ConfigStore;
  readonly settings = new ProxySettings();
  readonly secrets: ProxySecrets;
  readonly trust = new WorkspaceTrust();
  readonly supervisor: ServerSupervisor;
  readonly statuses: StatusStore;
  readonly model: ProxyModel;
  readonly registry: RegistrySync;
  readonly quickInputs = new QuickInputs();
  /** The read-only documents that show resources, read through the switchboard. */
  readonly resourceDocuments: ResourceDocuments;
  /** Sign In / Sign Out, and what a sign-in in the server needs from VS Code (SecretStorage, the browser). */
  readonly signIns: SignInBroker;
  /** The bearer token of this session: one per activation, so restarts keep the MCP definition. */
  readonly token = randomBytes(32).toString('base64url');
  /** How the user confirms agent changes, removals and missing secrets; the tests swap in an answer. */
  askUser: AskUser = askWithWarning;
  private readonly owned: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = this.own(vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true }));
    this.config = this.own(new ConfigStore());
    this.secrets = this.own(new ProxySecrets(extension.secrets, this.quickInputs, (question) => this.askUser(question)));
    this.supervisor = new ServerSupervisor({
      serverPath: vscode.Uri.joinPath(extension.extensionUri, 'dist', 'server.js').fsPath,
      token: this.token,
      log: this.log,
      initialMessage: () => this.registry.build(),
    });
    this.statuses = this.own(new StatusStore(this.supervisor));
    this.own(this.trust);
    this.model = this.own(new ProxyModel(this.config, this.statuses, this.supervisor, this.trust));
    this.registry = this.own(new RegistrySync(this.config, this.secrets, this.supervisor, this.trust, this.log));
    this.own(this.quickInputs);
    this.resourceDocuments = this.own(
      new ResourceDocuments(async () => ({ url: await this.supervisor.ensureRunning(), token: this.token }), this.version),
    );
    this.signIns = this.own(
      new SignInBroker(this.supervisor, extension.secrets, this.log, this.statuses, (name) => vscode.commands.executeCommand(Command.signIn, name)),
    );
    this.own(this.supervisor);
  }

  get version(): string {
    const version: unknown = this.extension.extension.packageJSON.version;
    return typeof version === 'string' ? version : '0.0.0';
  }

  /** Takes ownership of a disposable and returns it. */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.owned.push(disposable);
    return disposable;
  }

  /** Ends the server process and waits for it, then releases everything else. */
  async shutdown(): Promise<void> {
    await this.supervisor.disposeAsync();
    this.dispose();
  }

  dispose(): void {
    // Last created, first released: views go before the stores they read.
    for (const disposable of this.owned.splice(0).reverse()) disposable.dispose();
  }
}
