import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../core/logger';
import { type Discovery, liveDiscovery, removeDiscovery, writeDiscovery } from '../../core/user/discovery';
import { persistentToken, savedToken } from '../../core/user/persistentToken';
import { userFiles } from '../../core/user/userFiles';

/** Token file events come in bursts (a temporary file, then a rename): one read after they settle. */
const TOKEN_SETTLE_MS = 50;

/**
 * Being the user's shared switchboard: the saved token (and a new one when
 * it is rotated), and the discovery file written once the port is held (the
 * port itself is the lock: the kernel gives it to one process and takes it
 * back when that one dies, so no lock can go stale) and removed at the end.
 */
export class UserSwitchboard {
  private url: string | undefined;
  private watcher: FSWatcher | undefined;

  private constructor(
    private currentToken: string,
    readonly tokenPath: string,
    private readonly discoveryPath: string,
    private readonly config: string,
    private readonly version: string,
    private readonly logger: Logger,
  ) {}

  static async prepare(config: string, version: string, logger: Logger): Promise<UserSwitchboard> {
    const files = userFiles();
    return new UserSwitchboard(await persistentToken(files.token), files.token, files.discovery, config, version, logger);
  }

  get token(): string {
    return this.currentToken;
  }

  /** The user switchboard another process runs, if the discovery file names a live one within `waitMs`. */
  async running(waitMs: number): Promise<Discovery | undefined> {
    return await liveDiscovery(this.discoveryPath, waitMs, process.pid);
  }

  /** Says where this switchboard listens (replacing what a killed one left behind). */
  async announce(url: string): Promise<void> {
    this.url = url;
    await this.writeDiscovery();
    this.logger.info(`The user's switchboard; discovery file ${this.discoveryPath}.`);
  }

  /** Calls `onRotate` with the new token whenever the token file gets one (`mcp-switchboard rotate-token`). */
  watchToken(onRotate: (token: string) => void): void {
    let timer: NodeJS.Timeout | undefined;
    const name = basename(this.tokenPath);
    this.watcher = watch(dirname(this.tokenPath), (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(() => void this.takeToken(onRotate), TOKEN_SETTLE_MS);
    });
    this.watcher.on('error', (error) => this.logger.warn(`Stopped watching ${this.tokenPath}: ${error.message}`));
  }

  async withdraw(): Promise<void> {
    this.watcher?.close();
    await removeDiscovery(this.discoveryPath, process.pid);
  }

  private async takeToken(onRotate: (token: string) => void): Promise<void> {
    const token = await savedToken(this.tokenPath);
    if (token === undefined || token === this.currentToken) return;
    this.currentToken = token;
    onRotate(token);
    await this.writeDiscovery();
    this.logger.info('The token was rotated: requests with the old one are refused.');
  }

  private async writeDiscovery(): Promise<void> {
    if (this.url === undefined) return;
    await writeDiscovery(this.discoveryPath, { pid: process.pid, url: this.url, token: this.currentToken, config: this.config, version: this.version });
  }
}
