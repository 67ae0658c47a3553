import { version } from '../../../package.json';
import type { EarlyStarts } from '../../core/backends/earlyStarts';
import { connectFrontSession } from '../../core/front/frontServer';
import type { Logger } from '../../core/logger';
import { cliSignInHost } from './signIn';
import { IdleExit } from '../shared/idleExit';
import { UserSwitchboard } from '../shared/userSwitchboard';
import { lentSignInHost } from '../shared/lentSignIn';
import { VS_CODE_REALM, WindowHost } from '../shared/windowHost';
import { userFiles } from '../../core/user/userFiles';
import { BackendPool } from '../../core/backends/backendPool';
import { secretKeys } from '../../core/registry/expand';
import type { Profiles, Registry } from '../../core/registry/registry';
import { MANAGEMENT_TOOLS } from '../../core/front/managementTools';
import type { RegistryFile } from '../../core/registry/registryFile';
import type { ParsedRegistryDocument, RegistryFormat } from '../../core/registry/registryFormats';
import { Switchboard } from '../../core/switchboard';
import type { CliOptions } from './arguments';
import { cliExpansion } from './expansion';
import { FileRegistryEditor, fileMounts } from './fileRegistryEditor';
import { type HttpFront, startHttpFront } from '../fronts/httpFront';
import { serverIdentity } from '../fronts/serverIdentity';
import { StdioFrontTransport } from '../fronts/stdioFront';

/** What the CLI's light first step hands over: the registry it read and the backends it started. */
export interface ServeArguments {
  readonly options: CliOptions;
  readonly logger: Logger;
  /** Prints the log lines held back so far; the front calls it once it has said where to connect. */
  readonly releaseLog: () => void;
  readonly file: RegistryFile;
  readonly loaded: { readonly document: ParsedRegistryDocument } | { readonly problem: string };
  readonly earlyStarts: EarlyStarts | undefined;
}

/** How long a user switchboard that finds its port taken waits for the holder's discovery file. */
const DISCOVERY_WAIT_MS = 2_000;

/** Runs the switchboard: the engine, the front (stdio or Streamable HTTP), the registry file and its watch. */
export async function serve({ options, logger, releaseLog, file, loaded, earlyStarts }: ServeArguments): Promise<void> {
  // The user's switchboard shares its backends with the views of the VS Code windows attached to it.
  const pool = options.user ? new BackendPool() : undefined;
  let windows: WindowHost | undefined;
  // VS Code's secrets, for entries of its settings: from the environment, else from a window attached that has them.
  const secret = (key: string) => cliExpansion().secret(key) ?? windows?.secret(key);
  // The user's switchboard serving VS Code's settings signs their proxies in as VS Code does, through a window
  // attached (SecretStorage, the window's Sign In), so their backends are the windows' own; the CLI signs in by itself.
  const signsInThroughWindows = options.user && 'document' in loaded && loaded.document.format === 'vscodeSettings';
  const switchboard = new Switchboard({
    logger,
    clientInfo: { name: 'mcp-switchboard', version },
    expansion: () => ({ ...cliExpansion(), secret }),
    ownTools: MANAGEMENT_TOOLS,
    firstListGraceMs: options.firstListGraceMs,
    ...(earlyStarts && { earlyStarts }),
    ...(signsInThroughWindows
      ? { signInHost: lentSignInHost(() => windows?.attachedSignIn()), signInRealm: VS_CODE_REALM, forgetSignInOfRemoved: false }
      : { signInHost: cliSignInHost(logger), signInRealm: 'cli', forgetSignInOfRemoved: true }),
    ...(pool && { pool }),
  });
  // What the file said last besides its proxies; an agent's change rewrites only the proxies.
  let profiles: Profiles = {};
  let format: RegistryFormat = 'switchboard';
  let applied: Registry | undefined;
  /** The secrets the applied registry's entries found (in memory only): a window's registry that changes none of them changes nothing here. */
  const secretsFound = (registry: Registry) => JSON.stringify(Object.values(registry).map((entry) => secretKeys(entry).map(secret)));
  let appliedSecrets = '';
  const apply = (registry: Registry) => {
    applied = registry;
    appliedSecrets = secretsFound(registry);
    switchboard.configureSurface({ mode: options.surface, threshold: options.surfaceThreshold, profiles });
    switchboard.applyRegistry(fileMounts(registry, format, secret, options.user));
  };
  const applyDocument = (document: ParsedRegistryDocument) => {
    ({ profiles, format } = document);
    apply(document.registry);
  };
  const editor = new FileRegistryEditor(file, apply, options.allowAgentCommands);
  const identity = serverIdentity();
  const sessionOptions = (id: string) => ({ id, version, identity, editor });

  const mount = async () => {
    if (!('document' in loaded)) {
      logger.error(`${loaded.problem} Starting with no proxies; fix the file and it loads by itself.`);
      apply({});
      return;
    }
    for (const note of loaded.document.notes) logger.warn(note);
    const count = Object.keys(loaded.document.registry).length;
    logger.info(`Registry: ${file.path} (${count} ${count === 1 ? 'proxy' : 'proxies'})`);
    applyDocument(loaded.document);
    const known = Object.keys(loaded.document.profiles);
    if (options.profile !== undefined && !known.includes(options.profile)) {
      releaseLog();
      process.stderr.write(`mcp-switchboard: ${file.path} has no profile "${options.profile}". Profiles: ${known.join(', ') || '(none)'}.\n`);
      await switchboard.close();
      process.exit(2);
    }
  };
  // Mounted before the front is up: a client's first list then finds every backend already on its way. The
  // user's switchboard mounts once it holds its port (the port is its lock): a second one starts no backend.
  if (!options.user) await mount();

  let shutdown: () => Promise<void>;
  if (options.stdio) {
    releaseLog();
    const transport = new StdioFrontTransport(logger);
    // Set before connecting: the SDK's Server wraps whatever onclose the transport has.
    transport.onclose = () => void stop(0);
    await connectFrontSession(switchboard, transport, { ...sessionOptions('stdio'), profile: options.profile });
    shutdown = () => switchboard.close();
  } else {
    const user = options.user ? await UserSwitchboard.prepare(file.path, version, logger) : undefined;
    const token = user?.token ?? options.token;
    const idle = user && new IdleExit(options.idleGraceMs, () => {
      logger.info(`No client for ${options.idleGraceMs / 1000} s: ending.`);
      void stop(0);
    });
    // Clients are the requests open at the front and the VS Code windows attached.
    const inUse = { requests: 0, windows: 0 };
    const noteUse = (change: Partial<typeof inUse>) => {
      Object.assign(inUse, change);
      idle?.update(inUse.requests + inUse.windows);
    };
    let front: HttpFront;
    try {
      front = await startHttpFront({
        host: options.host,
        port: options.port,
        token,
        logger,
        ...(options.ssePollMs !== undefined && { pollAfterQuietMs: options.ssePollMs }),
        openSession: async (transport, profile, view) => {
          if (view !== undefined) return await windows?.openSession(view, transport, profile);
          await connectFrontSession(switchboard, transport, { ...sessionOptions(transport.sessionId), profile });
        },
        profiles: (view) => (view === undefined ? Object.keys(switchboard.surface.profiles) : (windows?.profiles(view) ?? [])),
        hasView: (view) => windows?.hasView(view) ?? false,
        ...(idle && { onOpenRequests: (requests: number) => noteUse({ requests }) }),
      });
    } catch (error) {
      if (!user || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      releaseLog();
      // The port is the lock: whoever holds it is the user's switchboard (which may be a moment from saying so), or another program.
      const running = await user.running(DISCOVERY_WAIT_MS);
      if (running) {
        process.stderr.write(`mcp-switchboard: the user's switchboard already runs (pid ${running.pid}) at ${running.url}.\n`);
        process.exit(0);
      }
      process.stderr.write(`mcp-switchboard: port ${options.port} on 127.0.0.1 is taken by another program: start with --port N.\n`);
      process.exit(2);
    }
    if (user && pool) {
      windows = await WindowHost.listen(userFiles().windows, {
        pool,
        logger,
        version,
        token: () => user.token,
        origin: new URL(front.url).origin,
        graceMs: options.idleGraceMs,
        onAttached: (count) => noteUse({ windows: count }),
        // What a window's secrets unblock (or, once it has gone, block again) in the registry served here.
        onSecretsChanged: () => applied && secretsFound(applied) !== appliedSecrets && apply(applied),
      });
      await user.announce(front.url);
      user.watchToken((rotated) => front.setToken(rotated));
      await mount();
    }
    // First, before anything about proxies: how to connect.
    process.stderr.write(`MCP Switchboard ${version} listening on ${front.url}\n`);
    process.stderr.write(token === undefined ? 'Authentication: off (--no-auth)\n' : user ? `Token: in ${user.tokenPath}\n` : `Token: ${token}\n`);
    releaseLog();
    shutdown = async () => {
      idle?.dispose();
      await user?.withdraw();
      await front.close();
      await windows?.close();
      await switchboard.close();
    };
  }

  await file.watch(
    (document) => {
      logger.info(`${file.path} changed; applying it.`);
      applyDocument(document);
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
