import { randomBytes } from 'node:crypto';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DEFAULT_FIRST_LIST_GRACE_MS, MAX_FIRST_LIST_GRACE_MS } from '../../core/registry/limits';
import { LOG_LEVELS, type LogLevel } from '../../core/logger';
import { DEFAULT_SEARCH_THRESHOLD, TOOL_SURFACES, type ToolSurface } from '../../core/surface/surfaceModes';
import { DEFAULT_USER_PORT } from '../../core/user/userFiles';

/** How long the user's shared switchboard waits, after its last client left, before it ends. */
export const DEFAULT_IDLE_GRACE_MS = 30_000;
const MAX_IDLE_GRACE_MS = 60_000;

/** The --help text. */
export const USAGE = `Usage: mcp-switchboard [options]
       mcp-switchboard connect [--config FILE | --vscode-settings FILE] [--profile NAME] [--port N]
       mcp-switchboard rotate-token

One MCP server in front of all your MCP servers.

connect: a stdio MCP server for clients that run only those (Claude Desktop…),
  attached to the user's shared switchboard, which it starts when none runs.
  Its registry is --config FILE, or VS Code's user settings.json
  (mcpSwitchboard.proxies; --vscode-settings FILE names another one).
rotate-token: a new bearer token for the user's shared switchboard; the old
  one is refused at once (connect follows by itself).

Options:
  --config FILE             registry file (default ./proxies.json; created when missing).
                            Also reads VS Code mcp.json and Claude Desktop configs.
  --stdio                   serve MCP on stdin/stdout (logs go to stderr)
  --host HOST               else serve Streamable HTTP on HOST (default 127.0.0.1)
  --port N                  ... and port N (default 0: a free port), at /mcp
  --token TOKEN             HTTP bearer token (default: a random one, printed)
  --no-auth                 serve HTTP without a token (only on loopback)
  --allow-agent-commands    let the add_proxy tool register command (stdio) proxies
  --surface MODE            how tools are shown: all (default), search (search_tools and
                            call_tool, plus pinned tools) or auto (search above a threshold)
  --surface-threshold N     for auto: search when more than N tools are visible (default ${DEFAULT_SEARCH_THRESHOLD})
  --profile NAME            with --stdio: serve the registry's profile NAME (over HTTP,
                            profiles are served at /mcp/NAME)
  --first-list-grace MS     how long a client's first list waits for proxies still
                            connecting (0 to ${MAX_FIRST_LIST_GRACE_MS}, default ${DEFAULT_FIRST_LIST_GRACE_MS})
  --user                    serve as the user's shared switchboard: port ${DEFAULT_USER_PORT} unless --port,
                            the token kept in the user's config folder, a discovery file,
                            and an end once no client is left for --idle-grace
  --idle-grace MS           with --user: how long to wait for the next client (0 to ${MAX_IDLE_GRACE_MS}, default ${DEFAULT_IDLE_GRACE_MS})
  --sse-poll MS             over HTTP: close a call's event stream after MS quiet, with a retry
                            field, for clients that poll (SEP-1699; default: open until answered)
  --log-level LEVEL         debug, info, warn or error (default info)
  --version                 print the version
  --help                    print this help

Secrets: \${secret:KEY} in the registry reads the environment variable
MCP_SWITCHBOARD_SECRET_KEY (KEY upper-cased, other characters as _).`;

/** What `mcp-switchboard connect` was asked for. */
export interface ConnectOptions {
  readonly command: 'connect';
  /** The registry: a proxies.json, or a VS Code settings.json; undefined means VS Code's user settings where they usually are. */
  readonly config: string | undefined;
  readonly profile: string | undefined;
  readonly port: number;
}

/** What the command line asked for. */
export interface CliOptions {
  readonly command: 'serve';
  readonly config: string;
  readonly stdio: boolean;
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly allowAgentCommands: boolean;
  readonly logLevel: LogLevel;
  readonly firstListGraceMs: number;
  readonly surface: ToolSurface;
  readonly surfaceThreshold: number;
  readonly profile: string | undefined;
  /** Serve as the user's shared switchboard (see --user). */
  readonly user: boolean;
  readonly idleGraceMs: number;
  /** Close a quiet call stream after this long (--sse-poll); undefined keeps it open until answered. */
  readonly ssePollMs: number | undefined;
}

/** A command line that cannot be used: its message says what is wrong and what is allowed. */
export class UsageError extends Error {}

/** Parses argv, or throws a UsageError that says what is wrong and what is allowed. */
export function parseCliArguments(argv: readonly string[]): CliOptions | ConnectOptions | 'rotate-token' | 'help' | 'version' {
  if (argv[0] === 'connect') return parseConnectArguments(argv.slice(1));
  if (argv[0] === 'rotate-token') {
    if (argv.length > 1) throw new UsageError(`rotate-token takes no options, not "${argv[1]}".`);
    return 'rotate-token';
  }
  const values = strictArguments(argv, {
    config: { type: 'string' },
    stdio: { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
    token: { type: 'string' },
    'no-auth': { type: 'boolean' },
    'allow-agent-commands': { type: 'boolean' },
    'first-list-grace': { type: 'string' },
    surface: { type: 'string' },
    'surface-threshold': { type: 'string' },
    profile: { type: 'string' },
    user: { type: 'boolean' },
    'idle-grace': { type: 'string' },
    'sse-poll': { type: 'string' },
    'log-level': { type: 'string' },
    version: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, '');
  if (values.help) return 'help';
  if (values.version) return 'version';
  const user = values.user ?? false;
  const port = parsePort(values.port, user ? DEFAULT_USER_PORT : 0);
  if (user && (values.stdio || values.host !== undefined || values['no-auth'])) {
    throw new UsageError('--user serves Streamable HTTP on loopback with its own token: --stdio, --host and --no-auth do not apply.');
  }
  if (values['idle-grace'] !== undefined && !user) throw new UsageError('--idle-grace applies to --user only.');
  const idleGraceMs = Number(values['idle-grace'] ?? DEFAULT_IDLE_GRACE_MS);
  if (!Number.isInteger(idleGraceMs) || idleGraceMs < 0 || idleGraceMs > MAX_IDLE_GRACE_MS) {
    throw new UsageError(`--idle-grace must be a whole number of milliseconds from 0 to ${MAX_IDLE_GRACE_MS}, not "${values['idle-grace']}".`);
  }
  const ssePollMs = values['sse-poll'] === undefined ? undefined : Number(values['sse-poll']);
  if (ssePollMs !== undefined && (!Number.isInteger(ssePollMs) || ssePollMs <= 0)) {
    throw new UsageError(`--sse-poll must be a whole number of milliseconds above 0, not "${values['sse-poll']}".`);
  }
  if (ssePollMs !== undefined && values.stdio) throw new UsageError('--sse-poll applies to HTTP, not --stdio.');
  const firstListGraceMs = Number(values['first-list-grace'] ?? DEFAULT_FIRST_LIST_GRACE_MS);
  if (!Number.isInteger(firstListGraceMs) || firstListGraceMs < 0 || firstListGraceMs > MAX_FIRST_LIST_GRACE_MS) {
    throw new UsageError(`--first-list-grace must be a whole number of milliseconds from 0 to ${MAX_FIRST_LIST_GRACE_MS}, not "${values['first-list-grace']}".`);
  }
  const surface = values.surface ?? 'all';
  if (!(TOOL_SURFACES as readonly string[]).includes(surface)) throw new UsageError(`--surface must be one of ${TOOL_SURFACES.join(', ')}, not "${surface}".`);
  const surfaceThreshold = Number(values['surface-threshold'] ?? DEFAULT_SEARCH_THRESHOLD);
  if (!Number.isInteger(surfaceThreshold) || surfaceThreshold < 0) {
    throw new UsageError(`--surface-threshold must be a whole number of tools, not "${values['surface-threshold']}".`);
  }
  if (values.profile !== undefined && !values.stdio) throw new UsageError('--profile applies to --stdio; over HTTP, a profile is served at /mcp/NAME.');
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
    command: 'serve',
    config: values.config ?? 'proxies.json',
    stdio: values.stdio ?? false,
    host,
    port,
    // The user switchboard's token is the one saved in the user's config folder (read when serving).
    token: values['no-auth'] ? undefined : (values.token ?? (user ? undefined : randomBytes(24).toString('base64url'))),
    allowAgentCommands: values['allow-agent-commands'] ?? false,
    logLevel: logLevel as LogLevel,
    firstListGraceMs,
    surface: surface as ToolSurface,
    surfaceThreshold,
    profile: values.profile,
    user,
    idleGraceMs,
    ssePollMs,
  };
}

function parseConnectArguments(argv: readonly string[]): ConnectOptions | 'help' {
  const values = strictArguments(argv, {
    config: { type: 'string' },
    'vscode-settings': { type: 'string' },
    profile: { type: 'string' },
    port: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }, 'connect: ');
  if (values.help) return 'help';
  if (values.config !== undefined && values['vscode-settings'] !== undefined) {
    throw new UsageError('connect: --config and --vscode-settings both name the registry: give one.');
  }
  return { command: 'connect', config: values.config ?? values['vscode-settings'], profile: values.profile, port: parsePort(values.port, DEFAULT_USER_PORT) };
}

/** parseArgs in strict mode; what it refuses becomes a UsageError (prefixed with the subcommand). */
function strictArguments<const Options extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: Options, prefix: string) {
  try {
    return parseArgs({ args: [...argv], strict: true, options }).values;
  } catch (error) {
    throw new UsageError(`${prefix}${(error as Error).message}`);
  }
}

function parsePort(value: string | undefined, fallback: number): number {
  const port = Number(value ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${value}".`);
  return port;
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

