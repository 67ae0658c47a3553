import { randomBytes } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, readlink, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { formatBytes, MAX_REGISTRY_FILE_BYTES, proxyCountProblem } from './limits';
import type { Logger } from '../logger';
import type { Registry } from './registry';
import { formatName, isWritableFormat, type ParsedRegistryDocument, parseRegistryDocument, serializeRegistry } from './registryFormats';

/** Hand edits arrive as several file events; this gathers them into one reload. */
const WATCH_DEBOUNCE_MS = 50;
/**
 * How long to wait before reading a file that did not parse once more: an
 * editor that writes in place (not atomically) leaves it half-written for a
 * moment, and calling that corrupt would be wrong.
 */
const SETTLE_MS = 150;
/** Mode of a registry file the switchboard creates: it may hold headers, so only its owner reads it. */
const NEW_FILE_MODE = 0o600;
/** Most symbolic links followed to find the real file (as the kernel's own limit). */
const MAX_LINKS = 40;

/**
 * The CLI's registry file. Reads every supported format; writes are atomic
 * (temp file + rename) and serialized, and each starts from the file as it is
 * on disk, so concurrent changes and hand edits are never lost. A file that
 * does not parse is never overwritten. A write keeps the file's identity: it
 * goes through symbolic links to the real file, keeps its mode and owner, and
 * refuses a file the user made read-only.
 */
export class RegistryFile {
  readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();
  private lastText: string | undefined;
  private lastProblem: string | undefined;
  private watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    path: string,
    private readonly logger: Logger,
  ) {
    this.path = resolve(path);
  }

  /** Reads the registry, creating an empty file when there is none. Throws a readable error when it does not parse. */
  async load(): Promise<ParsedRegistryDocument> {
    const { text, document } = await this.readSettled(true);
    this.lastText = text;
    return document;
  }

  /** Applies `change` to the registry on disk and writes it back; resolves with the new registry. */
  update(change: (registry: Registry) => Registry): Promise<Registry> {
    const run = this.queue.then(async () => {
      const { document } = await this.readSettled(true);
      if (!isWritableFormat(document.format)) {
        throw new Error(
          `${this.path} is ${formatName(document.format)}, which the switchboard only reads. Use a proxies.json to add or remove proxies.`,
        );
      }
      const registry = change({ ...document.registry });
      const tooMany = proxyCountProblem(Object.keys(registry).length);
      if (tooMany) throw new Error(`${this.path} would hold ${tooMany}: the change was not saved.`);
      await this.writeKeepingIdentity(serializeRegistry(registry, document.profiles));
      return registry;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `onChange` when someone else edits the file, or `onError` when the
   * edit cannot be used (the switchboard then keeps the last good registry).
   */
  async watch(onChange: (document: ParsedRegistryDocument) => void, onError: (message: string) => void): Promise<void> {
    // Watch folders, not the file: an atomic save replaces the file, which ends a watch on it. A symbolic
    // link's folder sees the link change; the real file's folder sees edits of the file itself.
    const watched = new Map<string, string>([[dirname(this.path), basename(this.path)]]);
    const real = await this.realPath().catch(() => this.path);
    watched.set(dirname(real), basename(real));
    for (const [folder, name] of watched) {
      const watcher = watch(folder, (_event, changed) => {
        if (changed !== null && changed !== name) return;
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.reload(onChange, onError), WATCH_DEBOUNCE_MS);
      });
      watcher.on('error', (error) => this.logger.warn(`Stopped watching ${this.path}: ${error.message}`));
      this.watchers.push(watcher);
    }
    // An edit made between load() and now raised no event: look once.
    await this.reload(onChange, onError);
  }

  /** Stops watching. */
  dispose(): void {
    clearTimeout(this.debounce);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  private async reload(onChange: (document: ParsedRegistryDocument) => void, onError: (message: string) => void): Promise<void> {
    let read: { text: string; document: ParsedRegistryDocument };
    try {
      const text = await this.readText(false);
      if (text === undefined || text === this.lastText) return; // Between a delete and a re-create, or our own write.
      read = await this.parseSettled(text, false);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      // Folder events repeat; the same problem is said once.
      if (problem !== this.lastProblem) onError(problem);
      this.lastProblem = problem;
      return;
    }
    this.lastProblem = undefined;
    if (read.text === this.lastText) return;
    this.lastText = read.text;
    onChange(read.document);
  }

  /** Reads and parses the file; when it does not parse, waits a moment and tries once more. */
  private async readSettled(create: boolean): Promise<{ text: string; document: ParsedRegistryDocument }> {
    const text = (await this.readText(create)) ?? '';
    return await this.parseSettled(text, create);
  }

  private async parseSettled(text: string, create: boolean): Promise<{ text: string; document: ParsedRegistryDocument }> {
    try {
      return { text, document: parseRegistryDocument(text, this.path) };
    } catch {
      await new Promise((resolveLater) => setTimeout(resolveLater, SETTLE_MS));
      const again = (await this.readText(create)) ?? '';
      return { text: again, document: parseRegistryDocument(again, this.path) };
    }
  }

  /** The file's text, created empty when missing (if `create`), else undefined. Errors say what is wrong in words. */
  private async readText(create: boolean): Promise<string | undefined> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(this.fileProblem(error, 'read'));
      if (!create) return undefined;
      return await this.createEmpty();
    }
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw directoryError();
      if (info.size > MAX_REGISTRY_FILE_BYTES) {
        throw new Error(
          `${this.path} is ${info.size.toLocaleString('en-US')} bytes, over the limit of ${formatBytes(MAX_REGISTRY_FILE_BYTES)} for a registry file; it was not read.`,
        );
      }
      return await handle.readFile('utf8');
    } catch (error) {
      if (error instanceof Error && !(error as NodeJS.ErrnoException).code) throw error;
      throw new Error(this.fileProblem(error, 'read'));
    } finally {
      await handle.close();
    }
  }

  private async createEmpty(): Promise<string> {
    const empty = serializeRegistry({});
    await mkdir(dirname(this.path), { recursive: true });
    await this.writeKeepingIdentity(empty);
    this.logger.info(`Created ${this.path}.`);
    return empty;
  }

  /**
   * Replaces the real file (through any symbolic links) atomically: a temporary
   * file in the real file's folder, given its mode and owner, renamed over it.
   */
  private async writeKeepingIdentity(text: string): Promise<void> {
    const target = await this.realPath();
    const current = await stat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new Error(this.fileProblem(error, 'write'));
    });
    if (current?.isDirectory()) throw new Error(this.fileProblem(directoryError(), 'write'));
    const mode = current ? current.mode & 0o7777 : NEW_FILE_MODE;
    if (current && (mode & 0o222) === 0) {
      throw new Error(
        `${this.path} is read-only (mode ${mode.toString(8).padStart(4, '0')}), so the switchboard does not change it. Make it writable to save changes there.`,
      );
    }
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, text, { encoding: 'utf8', mode, flag: 'wx' });
      await chmod(temporary, mode); // writeFile's mode is narrowed by the umask.
      if (current && process.getuid?.() === 0) await chown(temporary, current.uid, current.gid);
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw new Error(this.fileProblem(error, 'write'));
    }
    this.lastText = text;
  }

  /** The file the path leads to through symbolic links (which need not exist yet). */
  private async realPath(): Promise<string> {
    let path = this.path;
    for (let links = 0; links < MAX_LINKS; links++) {
      const info = await lstat(path).catch(() => undefined);
      if (!info?.isSymbolicLink()) return path;
      path = resolve(dirname(path), await readlink(path));
    }
    throw new Error(`${this.path} leads through more than ${MAX_LINKS} symbolic links; point --config at the file itself.`);
  }

  /** What a failed file operation means for the user, in words. */
  private fileProblem(error: unknown, doing: 'read' | 'write'): string {
    const code = (error as NodeJS.ErrnoException).code;
    switch (code) {
      case 'EISDIR':
        return `${this.path} is a folder, not a file: point --config at a proxies.json, or move the folder away.`;
      case 'EACCES':
      case 'EPERM':
        return `${this.path} cannot be ${doing === 'read' ? 'read' : 'written'}: permission denied. Check the file's and its folder's permissions.`;
      case 'ENOTDIR':
        return `${this.path} cannot be ${doing === 'read' ? 'read' : 'written'}: part of its path is a file, not a folder.`;
      case 'ENOSPC':
        return `${this.path} cannot be written: the disk is full. It was not changed.`;
      case 'EROFS':
        return `${this.path} cannot be written: it is on a read-only file system.`;
      default:
        return `${this.path} cannot be ${doing === 'read' ? 'read' : 'written'}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

/** The error reading or writing a folder gives, for the cases found before the system call. */
function directoryError(): NodeJS.ErrnoException {
  return Object.assign(new Error('illegal operation on a directory'), { code: 'EISDIR' });
}
