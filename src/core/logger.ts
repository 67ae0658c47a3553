/** Log levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line, and the proxy it is about when there is one. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly proxy?: string;
  readonly line: string;
}

/**
 * The one logger of core and server. Where lines go is the host's choice:
 * stderr for the CLI (stdout belongs to MCP), IPC for the extension's child.
 */
export interface Logger {
  debug(line: string, proxy?: string): void;
  info(line: string, proxy?: string): void;
  warn(line: string, proxy?: string): void;
  error(line: string, proxy?: string): void;
}

/** Makes a logger that passes records at or above `minimum` to `sink`. */
export function createLogger(sink: (record: LogRecord) => void, minimum: LogLevel = 'info'): Logger {
  const threshold = LOG_LEVELS.indexOf(minimum);
  const at =
    (level: LogLevel) =>
    (line: string, proxy?: string): void => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      sink(proxy === undefined ? { level, line } : { level, proxy, line });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Formats a record as one line of text: `[level] proxy: line`. */
export function formatRecord(record: LogRecord): string {
  return `[${record.level}] ${record.proxy === undefined ? '' : `${record.proxy}: `}${record.line}`;
}
