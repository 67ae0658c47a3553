import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_USER_PORT, userFiles } from '../core/user/userFiles';
import { ConfigStore } from './settings/config';
import { Command, CONFIG_SECTION, ConfigKey, OUTPUT_CHANNEL_NAME } from './constants';
import { ProxyModel } from './views/proxyModel';
import { ProxySecrets } from './settings/secrets';
import { ProxySettings } from './settings/proxySettings';
import { QuickInputs } from './views/quickInputs';
import { RegistrySync } from './server/registrySync';
import { ResourceDocuments } from './views/resourceDocuments';
import { StatusStore } from './server/statusStore';
import { SignInBroker } from './server/signIn';
import { ServerSupervisor } from './server/supervisor';
import { SharedWindowLink } from './server/sharedWindow';
import { startUserSwitchboard } from './server/startUserSwitchboard';
import { stableCliCopy } from './stableCli';
import { windowIdOf } from './server/windowId';
import { WindowSwitchboard } from './server/windowSwitchboard';
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
  /** The switchboard that serves this window: its own process, or the user's shared one. */
  readonly link: WindowSwitchboard;
  readonly statuses: StatusStore;
  readonly model: ProxyModel;
  readonly registry: RegistrySync;
  readonly quickInputs = new QuickInputs();
  /** The read-only documents that show resources, read through the switchboard. */
  readonly resourceDocuments: ResourceDocuments;
  /** Sign In / Sign Out, and what a sign-in in the server needs from VS Code (SecretStorage, the browser). */
  readonly signIns: SignInBroker;
  /** How the user confirms agent changes, removals and missing secrets; the tests swap in an answer. */
  askUser: AskUser = askWithWarning;
  private readonly owned: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = this.own(vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true }));
    this.config = this.own(new ConfigStore());
    this.secrets = this.own(new ProxySecrets(extension.secrets, this.quickInputs, (question) => this.askUser(question)));
    this.link = this.createLink();
    this.statuses = this.own(new StatusStore(this.link));
    this.own(this.trust);
    this.model = this.own(new ProxyModel(this.config, this.statuses, this.link, this.trust));
    this.registry = this.own(new RegistrySync(this.config, this.secrets, this.link, this.trust, this.log));
    this.own(this.quickInputs);
    this.resourceDocuments = this.own(
      new ResourceDocuments(async () => ({ url: await this.link.ensureRunning(), token: this.link.token }), this.version),
    );
    this.signIns = this.own(
      new SignInBroker(this.link, extension.secrets, this.log, this.statuses, (name) => vscode.commands.executeCommand(Command.signIn, name)),
    );
    this.own(this.link);
  }

  get version(): string {
    const version: unknown = this.extension.extension.packageJSON.version;
    return typeof version === 'string' ? version : '0.0.0';
  }

  /** The window's link, following mcpSwitchboard.sharedSwitchboard. */
  private createLink(): WindowSwitchboard {
    const extension = this.extension;
    // One per activation, so restarts of the window's own process keep the MCP definition.
    const ownToken = randomBytes(32).toString('base64url');
    const wishChanged = new vscode.EventEmitter<void>();
    this.own(wishChanged);
    this.own(vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration(`${CONFIG_SECTION}.${ConfigKey.sharedSwitchboard}`) && wishChanged.fire()));
    const setting = <T>(key: string, fallback: T) => vscode.workspace.getConfiguration(CONFIG_SECTION).get<T>(key, fallback);
    return new WindowSwitchboard({
      log: this.log,
      wantsShared: () => setting(ConfigKey.sharedSwitchboard, true),
      onDidChangeWish: wishChanged.event,
      ownSwitchboard: () =>
        new ServerSupervisor({
          serverPath: vscode.Uri.joinPath(extension.extensionUri, 'dist', 'server.js').fsPath,
          token: ownToken,
          log: this.log,
          initialMessage: () => this.registry.build(),
        }),
      sharedSwitchboard: () => {
        const files = userFiles();
        return new SharedWindowLink({
          windowId: windowIdOf((vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri)?.toString()),
          version: this.version,
          log: this.log,
          initialMessage: () => this.registry.build(),
          files,
          startSwitchboard: async () =>
            await startUserSwitchboard({
              node: process.execPath,
              cli: await stableCliCopy(extension),
              settings: userSettingsPath(extension),
              port: setting(ConfigKey.port, DEFAULT_USER_PORT),
              env: process.env,
              files,
            }),
        });
      },
    });
  }

  /** Takes ownership of a disposable and returns it. */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.owned.push(disposable);
    return disposable;
  }

  /** Ends the server process and waits for it, then releases everything else. */
  async shutdown(): Promise<void> {
    await this.link.disposeAsync();
    this.dispose();
  }

  dispose(): void {
    // Last created, first released: views go before the stores they read.
    for (const disposable of this.owned.splice(0).reverse()) disposable.dispose();
  }
}

/** VS Code's user settings.json, which the shared switchboard serves: global storage is `<user data>/User/globalStorage/<extension id>`. */
function userSettingsPath(extension: vscode.ExtensionContext): string {
  return join(dirname(dirname(extension.globalStorageUri.fsPath)), 'settings.json');
}
