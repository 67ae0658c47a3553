import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { version } from '../../package.json';
import type { ExpansionContext } from '../core/expand';
import { connectFrontSession } from '../core/frontServer';
import { createLogger, formatRecord, LOG_LEVELS, type LogLevel } from '../core/logger';
import { MANAGEMENT_TOOLS } from '../core/managementTools';
import { RegistryFile } from '../core/registryFile';
import { DEFAULT_FIRST_LIST_GRACE_MS, MAX_FIRST_LIST_GRACE_MS, Switchboard } from '../core/switchboard';
import { FileRegistryEditor, fileMounts } from './fileRegistryEditor';
import { startHttpFront } from './httpFront';
import { serverIdentity } from './serverIdentity';
import { StdioFrontTransport } from './stdioFront';

const USAGE = `Usage: mcp-switchboard [options]

One MCP server in front of all your MCP servers.

Options:
  --config FILE             registry file (default ./proxies.json; created when missing).
                            Also reads VS Code mcp.json and Claude Desktop configs.
  --stdio                   serve MCP on stdin/stdout (logs go to stderr)
  --host HOST               else serve Streamable HTTP on HOST (default 127.0.0.1)
  --port N                  ... and port N (default 0: a free port), at /mcp
  --token TOKEN             HTTP bearer token (default: a random one, printed)
  --no-auth                 serve HTTP without a token (only on loopback)
  --allow-agent-commands    let the add_proxy tool register command (stdio) proxies
  --first-list-grace MS     how long a client's first list waits for proxies still
                            connecting (0 to ${MAX_FIRST_LIST_GRACE_MS}, default ${DEFAULT_FIRST_LIST_GRACE_MS})
  --log-level LEVEL         debug, info, warn or error (default info)
  --version                 print the version
  --help                    print this help

Secrets: \${secret:KEY} in the registry reads the environment variable
MCP_SWITCHBOARD_SECRET_KEY (KEY upper-cased, other characters as _).`;

/** What the command line asked for. */
interface CliOptions {
  readonly config: string;
  readonly stdio: boolean;
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly allowAgentCommands: boolean;
  readonly logLevel: LogLevel;
  readonly firstListGraceMs: number;
}

class UsageError extends Error {}

/** Parses argv, or throws a UsageError that says what is wrong and what is allowed. */
function parseCliArguments(argv: readonly string[]): CliOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        config: { type: 'string' },
        stdio: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        'no-auth': { type: 'boolean' },
        'allow-agent-commands': { type: 'boolean' },
        'first-list-grace': { type: 'string' },
        'log-level': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
  const firstListGraceMs = Number(values['first-list-grace'] ?? DEFAULT_FIRST_LIST_GRACE_MS);
  if (!Number.isInteger(firstListGraceMs) || firstListGraceMs < 0 || firstListGraceMs > MAX_FIRST_LIST_GRACE_MS) {
    throw new UsageError(`--first-list-grace must be a whole number of milliseconds from 0 to ${MAX_FIRST_LIST_GRACE_MS}, not "${values['first-list-grace']}".`);
  }
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);
  if (values.token !== undefined && values['no-auth']) throw new UsageError('--token and --no-auth contradict each other: give one.');
  if (values.token === '') throw new UsageError('--token must not be empty.');
  const host = values.host ?? '127.0.0.1';
  if (values['no-auth'] && !isLoopback(host)) throw new UsageError(`--no-auth is only allowed on a loopback host, not "${host}".`);
  if (values.stdio && (values.host !== undefined || values.port !== undefined || values.token !== undefined || values['no-auth'])) {
    throw new UsageError('--stdio serves on stdin/stdout: --host, --port, --token and --no-auth apply to HTTP only.');
  }
  return {
    config: values.config ?? 'proxies.json',
    stdio: values.stdio ?? false,
    host,
    port,
    token: values['no-auth'] ? undefined : (values.token ?? randomBytes(24).toString('base64url')),
    allowAgentCommands: values['allow-agent-commands'] ?? false,
    logLevel: logLevel as LogLevel,
    firstListGraceMs,
  };
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

/** `${secret:KEY}` comes from the environment for the CLI: there is no secret store outside VS Code. */
function cliExpansion(): ExpansionContext {
  return {
    env: process.env,
    userHome: homedir(),
    workspaceFolder: process.cwd(),
    secret: (key) => process.env[`MCP_SWITCHBOARD_SECRET_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`],
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parseCliArguments(argv);
  if (options === 'help') return void process.stdout.write(`${USAGE}\n`);
  if (options === 'version') return void process.stdout.write(`${version}\n`);

  const logger = createLogger((record) => process.stderr.write(`${formatRecord(record)}\n`), options.logLevel);
  const file = new RegistryFile(options.config, logger);
  const switchboard = new Switchboard({
    logger,
    clientInfo: { name: 'mcp-switchboard', version },
    expansion: cliExpansion,
    ownTools: MANAGEMENT_TOOLS,
    firstListGraceMs: options.firstListGraceMs,
  });
  const apply = (registry: Parameters<typeof fileMounts>[0]) => switchboard.applyRegistry(fileMounts(registry));
  const editor = new FileRegistryEditor(file, apply, options.allowAgentCommands);
  const identity = serverIdentity();
  const sessionOptions = (id: string) => ({ id, version, identity, editor });

  let shutdown: () => Promise<void>;
  if (options.stdio) {
    const transport = new StdioFrontTransport(logger);
    // Set before connecting: the SDK's Server wraps whatever onclose the transport has.
    transport.onclose = () => void stop(0);
    await connectFrontSession(switchboard, transport, sessionOptions('stdio'));
    shutdown = () => switchboard.close();
  } else {
    const front = await startHttpFront({
      host: options.host,
      port: options.port,
      token: options.token,
      logger,
      openSession: async (transport) => void (await connectFrontSession(switchboard, transport, sessionOptions(transport.sessionId))),
    });
    // First, before anything about proxies: how to connect.
    process.stderr.write(`MCP Switchboard ${version} listening on ${front.url}\n`);
    process.stderr.write(options.token === undefined ? 'Authentication: off (--no-auth)\n' : `Token: ${options.token}\n`);
    shutdown = async () => {
      await front.close();
      await switchboard.close();
    };
  }

  try {
    const document = await file.load();
    for (const note of document.notes) logger.warn(note);
    const count = Object.keys(document.registry).length;
    logger.info(`Registry: ${file.path} (${count} ${count === 1 ? 'proxy' : 'proxies'})`);
    apply(document.registry);
  } catch (error) {
    logger.error(`${(error as Error).message} Starting with no proxies; fix the file and it loads by itself.`);
    apply({});
  }
  await file.watch(
    (document) => {
      logger.info(`${file.path} changed; applying it.`);
      apply(document.registry);
    },
    (message) => logger.error(`${message} Keeping the last good registry.`),
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    file.dispose();
    await shutdown().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`mcp-switchboard: ${error.message}\nRun mcp-switchboard --help for the options.\n`);
    process.exit(2);
  }
  process.stderr.write(`mcp-switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
