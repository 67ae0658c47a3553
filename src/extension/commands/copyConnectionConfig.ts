import * as vscode from 'vscode';
import { type ClientKind, CLIENTS, connectionConfig, isWindowConfig } from '../connectionConfig';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { Command, CONFIG_SECTION, ConfigKey } from '../constants';
import { BACK } from '../views/quickInputs';
import { stableCliCopy } from '../stableCli';

const CLIENT_LABELS: Record<ClientKind, string> = {
  claudeDesktop: 'Claude Desktop',
  claudeCode: 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code (.vscode/mcp.json)',
  claudeCodeWindow: 'Claude Code, this window',
  cursorWindow: 'Cursor, this window',
  vscodeWindow: 'VS Code (.vscode/mcp.json), this window',
};

/** How the two kinds of config are introduced in the client list. */
const SHARED_HEADING = 'Your shared switchboard: your user settings’ proxies, across restarts';
const WINDOW_HEADING = 'This window: its user and workspace proxies, while it is open';

/** What the snippet connects to: every tool, or one profile (served at `<url>/<profile>`). */
type Target = { readonly profile: string | undefined };

/**
 * Copy Connection Config: the snippet another MCP client needs to use the
 * user's shared switchboard or this window's, for all its tools or for one
 * profile. Given a profile (its tree row), only the client is asked.
 */
export async function copyConnectionConfig(context: SwitchboardContext, client?: ClientKind, profile?: string): Promise<void> {
  const chosen = await choose(context, client, profile);
  if (!chosen) return;
  const stdio = !isWindowConfig(chosen.client);
  // Only this window's config needs this window's server; connect starts the shared one itself.
  let url = '';
  if (!stdio) {
    try {
      url = await context.link.ensureRunning();
    } catch (error) {
      await showError(`The switchboard server did not start, so there is nothing to connect to: ${messageOf(error)}`, {
        title: 'Show Logs',
        run: () => context.log.show(),
      }, { title: 'Retry', run: () => vscode.commands.executeCommand(Command.copyConnectionConfig, chosen.client) });
      return;
    }
  }
  const config = connectionConfig(chosen.client, url, context.link.token, chosen.target.profile, stdio ? await stableCliCopy(context.extension) : '');
  await vscode.env.clipboard.writeText(config.text);
  const what = chosen.target.profile === undefined ? `the ${config.client} config` : `the ${config.client} config for profile "${chosen.target.profile}"`;
  const lasts = stdio
    ? 'It runs the proxies of your user settings in your own shared switchboard, also when VS Code is closed (it needs Node on PATH).'
    : context.link.isShared
      ? 'It works while this window is attached to your shared switchboard, until its token is rotated; for a config that lasts, pick the client under "Your shared switchboard".'
      : 'It works while this VS Code window is open (the port and token change when it restarts); for a config that lasts, pick the client under "Your shared switchboard".';
  void vscode.window.showInformationMessage(`Copied ${what}: paste it ${config.where}. ${lasts}`);
}

/**
 * The client, then (when profiles exist and none was given) what to connect
 * to; Back from the second step returns to the first. The shared switchboard
 * reads the user settings, so it serves only their profiles: a workspace's
 * profile is offered to this window's configs only.
 */
async function choose(context: SwitchboardContext, client: ClientKind | undefined, profile: string | undefined): Promise<{ client: ClientKind; target: Target } | undefined> {
  const profiles = context.model.profiles().filter((row) => row.profile !== undefined);
  const userProfiles = userProfileNames();
  const askTarget = profile === undefined && profiles.length > 0;
  for (;;) {
    const picked = client ?? (await pickClient(context, askTarget, profile, profile !== undefined && !userProfiles.has(profile)));
    if (!picked) return undefined;
    const offered = isWindowConfig(picked) ? profiles : profiles.filter((row) => userProfiles.has(row.name));
    if (!askTarget || offered.length === 0) return { client: picked, target: { profile } };
    const target = await context.quickInputs.pick({
      title: 'Copy Connection Config',
      placeholder: 'All tools, or one profile (mcpSwitchboard.profiles)?',
      step: 2,
      totalSteps: 2,
      items: [
        { label: 'All tools', description: '/mcp', detail: 'Every tool the switchboard shows, with mcpSwitchboard.toolSurface', target: { profile: undefined } },
        ...offered.map((row) => ({ label: row.name, description: row.path, detail: `Profile · ${row.surface}`, target: { profile: row.name } })),
      ],
      matchOnDescription: true,
    });
    if (target === undefined) return undefined;
    if (target === BACK) {
      if (client !== undefined) return undefined;
      continue;
    }
    return { client: picked, target: target.target };
  }
}

async function pickClient(context: SwitchboardContext, moreSteps: boolean, profile: string | undefined, windowOnly: boolean): Promise<ClientKind | undefined> {
  const picked = await context.quickInputs.pick({
    title: profile === undefined ? 'Copy Connection Config' : `Copy Connection Config: profile "${profile}"`,
    placeholder: windowOnly
      ? 'Which MCP client? A workspace profile is served by this window only.'
      : 'Which MCP client should connect to the switchboard?',
    ...(moreSteps && { step: 1, totalSteps: 2 }),
    items: [
      ...(windowOnly
        ? []
        : [
            { label: SHARED_HEADING, kind: vscode.QuickPickItemKind.Separator, client: undefined },
            ...CLIENTS.filter((kind) => !isWindowConfig(kind)).map((kind) => ({ label: CLIENT_LABELS[kind], client: kind })),
          ]),
      { label: WINDOW_HEADING, kind: vscode.QuickPickItemKind.Separator, client: undefined },
      ...CLIENTS.filter(isWindowConfig).map((kind) => ({ label: CLIENT_LABELS[kind], client: kind })),
    ],
  });
  return picked === undefined || picked === BACK ? undefined : picked.client; // A separator cannot be picked.
}

/** The profiles in the user settings (not a workspace's): those the shared switchboard serves. */
function userProfileNames(): ReadonlySet<string> {
  const value = vscode.workspace.getConfiguration(CONFIG_SECTION).inspect<unknown>(ConfigKey.profiles)?.globalValue;
  return new Set(typeof value === 'object' && value !== null ? Object.keys(value) : []);
}
