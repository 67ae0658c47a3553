import type { Logger } from '../../core/logger';
import { type Discovery, isAlive, readDiscovery, removeDiscovery, writeDiscovery } from './discovery';
import { persistentToken } from './persistentToken';
import { userFiles } from './userFiles';

/**
 * Being the user's shared switchboard: the saved token, and the discovery
 * file written once the port is held (the port itself is the lock: the
 * kernel gives it to one process and takes it back when that one dies, so no
 * lock can go stale) and removed at the end.
 */
export class UserSwitchboard {
  private constructor(
    readonly token: string,
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

  /** The user switchboard another process runs, if the discovery file names a live one. */
  async running(): Promise<Discovery | undefined> {
    const found = await readDiscovery(this.discoveryPath);
    return found && found.pid !== process.pid && isAlive(found.pid) ? found : undefined;
  }

  /** Says where this switchboard listens (replacing what a killed one left behind). */
  async announce(url: string): Promise<void> {
    await writeDiscovery(this.discoveryPath, { pid: process.pid, url, token: this.token, config: this.config, version: this.version });
    this.logger.info(`The user's switchboard; discovery file ${this.discoveryPath}.`);
  }

  async withdraw(): Promise<void> {
    await removeDiscovery(this.discoveryPath, process.pid);
  }
}
