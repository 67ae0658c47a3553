import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type CredentialKey, type CredentialStore, credentialId, parseStoredCredentials, type StoredCredentials } from './credentials';

/** Only the user may list, read or write the folder and its files: they hold tokens. */
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/** The CLI's default folder: `$XDG_CONFIG_HOME/mcp-switchboard/auth`, else `~/.config/mcp-switchboard/auth`. */
export function defaultCredentialFolder(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(base, 'mcp-switchboard', 'auth');
}

/**
 * Credentials as one JSON file per proxy and server in a user-only folder.
 * Writes are atomic (temp file + rename), created 0600 in a 0700 folder, and
 * the folder's mode is set again on every write in case it was loosened.
 */
export class FileCredentialStore implements CredentialStore {
  constructor(readonly folder: string) {}

  async read(key: CredentialKey): Promise<StoredCredentials | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      return parseStoredCredentials(JSON.parse(text), key);
    } catch {
      return undefined; // A damaged file means signing in again, not an error.
    }
  }

  async write(key: CredentialKey, credentials: StoredCredentials): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: FOLDER_MODE });
    await chmod(this.folder, FOLDER_MODE);
    const file = this.fileOf(key);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: FILE_MODE });
    try {
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async forget(proxy: string, serverUrl?: string): Promise<void> {
    if (serverUrl !== undefined) return await unlink(this.fileOf({ proxy, serverUrl })).catch(() => undefined);
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const prefix = `${proxy}.`;
    await Promise.all(names.filter((name) => name.startsWith(prefix)).map((name) => unlink(join(this.folder, name)).catch(() => undefined)));
  }

  private fileOf(key: CredentialKey): string {
    return join(this.folder, `${credentialId(key)}.json`);
  }
}
