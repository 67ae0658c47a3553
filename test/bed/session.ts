/**
 * The common start of every bed run: provision the tools, package the
 * extension, install the .vsix into a throwaway profile, start code-server
 * and a headless Chromium. Everything it starts is registered with `teardown`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { packageExtension } from './build';
import { createProfile, installExtension, startCodeServer, type Profile, type RunningCodeServer } from './codeServer';
import { EXTENSION_ID, REPO } from './paths';
import { provision, type Tools } from './provision';
import type { Teardown } from './teardown';

export interface BedSession {
  readonly tools: Tools;
  readonly profile: Profile;
  /** The folder VS Code unpacked the .vsix into. */
  readonly installed: string;
  readonly server: RunningCodeServer;
  readonly browser: Browser;
  /** test-results/<name>: logs (and screenshots) of this run, kept for a person to read. */
  readonly results: string;
}

export interface SessionOptions {
  /** Folder under test-results/ for this run's logs. */
  readonly name: string;
  /** Extra environment for code-server and its extension hosts. */
  readonly env?: Record<string, string>;
  /** Runs after the profile exists, before code-server starts (e.g. to build the tests). */
  readonly prepare?: (profile: Profile) => Promise<void>;
}

export async function startSession(teardown: Teardown, options: SessionOptions): Promise<BedSession> {
  const tools = await provision(REPO);
  const results = join(REPO, 'test-results', options.name);
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });

  const profile = createProfile(teardown, options.env);
  const vsix = join(profile.root, 'mcp-switchboard.vsix');
  await packageExtension(REPO, vsix);
  await options.prepare?.(profile);
  const installed = await installExtension(tools, profile, vsix, EXTENSION_ID);

  const server = await startCodeServer(tools, profile, teardown);
  keepLog(teardown, server, join(results, 'code-server.log'));
  console.log(`[bed] code-server at ${server.origin}, extension from ${installed}`);

  const browser = await launchBrowser(tools, profile, teardown);
  return { tools, profile, installed, server, browser, results };
}

/**
 * Stops code-server and starts it again on the same profile and port, as a
 * person restarts VS Code: the workspace URIs (which carry the port) stay the
 * same. Pages on the old one are the caller's to close first. Returns the
 * session with the new server; its log goes to code-server-<n>.log.
 */
export async function restartCodeServer(teardown: Teardown, session: BedSession, run: number): Promise<BedSession> {
  await session.server.stop();
  const server = await startCodeServer(session.tools, session.profile, teardown, session.server.port);
  keepLog(teardown, server, join(session.results, `code-server-${run}.log`));
  console.log(`[bed] code-server restarted at ${server.origin}`);
  return { ...session, server };
}

/**
 * Registered after the server's stop, so it runs before it: the log is saved
 * while the output is still being collected, and whatever the run ended with
 * (a server stopped earlier keeps what it printed until then).
 */
function keepLog(teardown: Teardown, server: RunningCodeServer, path: string): void {
  teardown.add("saving code-server's log", () => writeFileSync(path, server.output()));
}
