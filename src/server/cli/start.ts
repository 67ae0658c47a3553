import { stdioParameters } from '../../core/backends/backendProcess';
import { EarlyStarts } from '../../core/backends/earlyStarts';
import { expandEntry } from '../../core/registry/expand';
import { createLogger, formatRecord, type LogRecord } from '../../core/logger';
import { type Registry, transportOf } from '../../core/registry/registry';
import { RegistryFile } from '../../core/registry/registryFile';
import type { ParsedRegistryDocument } from '../../core/registry/registryFormats';
import type { CliOptions } from './arguments';
import { cliExpansion } from './expansion';

/** Reads the registry and starts its stdio backends, then loads the engine and serves. */
export async function start(options: CliOptions): Promise<void> {
  // Held until the front has said where to connect: that comes first on stderr.
  let held: LogRecord[] | undefined = [];
  const write = (record: LogRecord) => process.stderr.write(`${formatRecord(record)}\n`);
  const logger = createLogger((record) => (held ? held.push(record) : write(record)), options.logLevel);
  const releaseLog = () => {
    for (const record of held ?? []) write(record);
    held = undefined;
  };

  const file = new RegistryFile(options.config, logger);
  const loaded = await file.load().then(
    (document): { document: ParsedRegistryDocument } => ({ document }),
    (error: unknown): { problem: string } => ({ problem: error instanceof Error ? error.message : String(error) }),
  );
  // The user's switchboard may find another one holding its port; it starts backends only once it holds it.
  const earlyStarts = 'document' in loaded && !options.user ? startEarly(loaded.document.registry) : undefined;
  const { serve } = await import('./serve');
  await serve({ options, logger, releaseLog, file, loaded, earlyStarts });
}

/** Starts the registry's stdio backends now, as the engine would start them, for it to take over. */
function startEarly(registry: Registry): EarlyStarts {
  const early = new EarlyStarts();
  for (const entry of Object.values(registry)) {
    if (entry.enabled === false || transportOf(entry) !== 'stdio') continue;
    try {
      early.start(stdioParameters(expandEntry(entry, cliExpansion())));
    } catch {
      // A variable with no value: the engine says so when it mounts the entry.
    }
  }
  return early;
}
