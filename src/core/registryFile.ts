import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from './logger';
import type { Registry } from './registry';
import { formatName, isWritableFormat, type ParsedRegistryDocument, parseRegistryDocument, serializeRegistry } from './registryFormats';

/** Hand edits arrive as several file events; this gathers them into one reload. */
const WATCH_DEBOUNCE_MS = 50;

/**
 * The CLI's registry file. Reads every supported format; writes are atomic
 * (temp file + rename) and serialized, and each starts from the file as it is
 * on disk, so concurrent changes and hand edits are never lost. A file that
 * does not parse is never overwritten.
 */
export class RegistryFile {
  readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();
  private lastText: string | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    path: string,
    private readonly logger: Logger,
  ) {
    this.path = resolve(path);
  }

  /** Reads the registry, creating an empty file when there is none. Throws a readable error when it does not parse. */
  async load(): Promise<ParsedRegistryDocument> {
    const text = await this.readOrCreate();
    this.lastText = text;
    return parseRegistryDocument(text, this.path);
  }

  /** Applies `change` to the registry on disk and writes it back; resolves with the new registry. */
  update(change: (registry: Registry) => Registry): Promise<Registry> {
    const run = this.queue.then(async () => {
      const document = parseRegistryDocument(await this.readOrCreate(), this.path);
      if (!isWritableFormat(document.format)) {
        throw new Error(
          `${this.path} is ${formatName(document.format)}, which the switchboard only reads. Use a proxies.json to add or remove proxies.`,
        );
      }
      const registry = change({ ...document.registry });
      await this.writeAtomically(serializeRegistry(registry));
      return registry;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `onChange` when someone else edits the file, or `onError` when the
   * edit does not parse (the switchboard then keeps the last good registry).
   */
  watch(onChange: (document: ParsedRegistryDocument) => void, onError: (message: string) => void): void {
    // Watch the folder, not the file: an atomic save replaces the file, which ends a watch on it.
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(onChange, onError), WATCH_DEBOUNCE_MS);
    });
    this.watcher.on('error', (error) => this.logger.warn(`Stopped watching ${this.path}: ${error.message}`));
  }

  /** Stops watching. */
  dispose(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  private async reload(onChange: (document: ParsedRegistryDocument) => void, onError: (message: string) => void): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return; // Between a delete and a re-create; the next event brings the new file.
    }
    if (text === this.lastText) return;
    this.lastText = text;
    try {
      onChange(parseRegistryDocument(text, this.path));
    } catch (error) {
      onError(error instanceof Error ? error.message : String(error));
    }
  }

  private async readOrCreate(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`Cannot read ${this.path}: ${(error as Error).message}`);
      }
      const empty = serializeRegistry({});
      await mkdir(dirname(this.path), { recursive: true });
      await this.writeAtomically(empty);
      this.logger.info(`Created ${this.path}.`);
      return empty;
    }
  }

  private async writeAtomically(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, this.path);
    this.lastText = text;
  }
}
