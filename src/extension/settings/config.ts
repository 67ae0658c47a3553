import * as vscode from 'vscode';
import { MAX_PROXIES } from '../../core/registry/limits';
import { formatIssues, type Profile, profileNameSchema, profileSchema, type ProxyEntry, parseProxyEntry } from '../../core/registry/registry';
import { DEFAULT_SEARCH_THRESHOLD, TOOL_SURFACES, type ToolSurface } from '../../core/surface/surfaceModes';
import { CONFIG_SECTION, ConfigKey } from '../constants';
import { entryProblems } from './entryProblems';

/** The settings scopes a proxy can be saved in. */
export type SettingsScope = 'user' | 'workspace';

/** A valid proxy entry from settings, with the scope it takes effect from. */
export interface ConfiguredProxy {
  readonly name: string;
  readonly entry: ProxyEntry;
  readonly scope: SettingsScope;
  /** True when a user entry of the same name exists and this workspace entry hides it. */
  readonly overridesUser: boolean;
}

/** An entry in settings that does not parse; it is shown, not mounted. */
export interface InvalidProxy {
  readonly name: string;
  readonly scope: SettingsScope;
  /** Everything wrong with it, in one message. */
  readonly problem: string;
  /** The same, one sentence per problem, for a list. */
  readonly problems: readonly string[];
}

export type AgentChangePolicy = 'ask' | 'never';

/** How the switchboard shows tools to clients (mcpSwitchboard.toolSurface, its threshold, and the profiles). */
export interface SurfaceConfig {
  readonly mode: ToolSurface;
  /** For `auto`: search when more tools than this are visible. */
  readonly threshold: number;
  /** The profiles that parse, by name; each is served at `/mcp/<name>`. */
  readonly profiles: Readonly<Record<string, Profile>>;
}

/** A profile in settings that does not parse; it is shown, not served. */
export interface InvalidProfile {
  readonly name: string;
  readonly problem: string;
}

/** Everything the extension reads from settings, parsed once per change. */
export interface Config {
  /** Effective registry: user entries overlaid by workspace entries of the same name, in registry order. */
  readonly proxies: ReadonlyMap<string, ConfiguredProxy>;
  readonly invalid: readonly InvalidProxy[];
  readonly agentCanAddProxies: AgentChangePolicy;
  readonly surface: SurfaceConfig;
  readonly invalidProfiles: readonly InvalidProfile[];
}

/** The raw `mcpSwitchboard.proxies` object of one scope, as written (entries may be invalid). */
export type RawProxies = Record<string, unknown>;

/** Reads the raw proxies object of one scope; anything but an object counts as empty. */
export function rawProxiesOf(scope: SettingsScope): RawProxies {
  const inspected = vscode.workspace.getConfiguration(CONFIG_SECTION).inspect<unknown>(ConfigKey.proxies);
  const value = scope === 'user' ? inspected?.globalValue : inspected?.workspaceValue;
  return isPlainObject(value) ? { ...value } : {};
}

/** Reads and validates the extension's settings. Scopes are read separately so each entry knows where it lives. */
export function readConfig(): Config {
  const proxies = new Map<string, ConfiguredProxy>();
  const invalid: InvalidProxy[] = [];
  const user = rawProxiesOf('user');
  const workspace = rawProxiesOf('workspace');
  const parse = (name: string, raw: unknown, scope: SettingsScope) => {
    try {
      proxies.set(name, { name, entry: parseProxyEntry(name, raw), scope, overridesUser: scope === 'workspace' && Object.hasOwn(user, name) });
    } catch (error) {
      // A broken workspace entry still hides the user entry of that name: mounting the user one would surprise.
      proxies.delete(name);
      const problem = error instanceof Error ? error.message : String(error);
      invalid.push({ name, scope, problem, problems: entryProblems(name, raw, problem) });
    }
  };
  for (const [name, raw] of Object.entries(user)) parse(name, raw, 'user');
  for (const [name, raw] of Object.entries(workspace)) {
    const index = invalid.findIndex((problem) => problem.name === name);
    if (index !== -1) invalid.splice(index, 1);
    parse(name, raw, 'workspace');
  }
  // Past the limit, the last entries are shown as invalid rather than started.
  for (const { name, scope } of [...proxies.values()].slice(MAX_PROXIES)) {
    proxies.delete(name);
    const problem = `More than ${MAX_PROXIES} proxies are configured, the most the switchboard mounts; remove some.`;
    invalid.push({ name, scope, problem, problems: [problem] });
  }
  const policy = vscode.workspace.getConfiguration(CONFIG_SECTION).get<string>(ConfigKey.agentCanAddProxies);
  return { proxies, invalid, agentCanAddProxies: policy === 'never' ? 'never' : 'ask', ...readSurface() };
}

/** Reads the tool surface and the profiles; a value of the wrong kind counts as the default, a profile that does not parse is set aside. */
function readSurface(): { surface: SurfaceConfig; invalidProfiles: InvalidProfile[] } {
  const settings = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const rawMode = settings.get<unknown>(ConfigKey.toolSurface);
  const mode = TOOL_SURFACES.find((surface) => surface === rawMode) ?? 'all';
  const rawThreshold = settings.get<unknown>(ConfigKey.toolSurfaceThreshold);
  const threshold = typeof rawThreshold === 'number' && Number.isInteger(rawThreshold) && rawThreshold >= 0 ? rawThreshold : DEFAULT_SEARCH_THRESHOLD;
  const rawProfiles = settings.get<unknown>(ConfigKey.profiles);
  const profiles: Record<string, Profile> = {};
  const invalidProfiles: InvalidProfile[] = [];
  for (const [name, raw] of Object.entries(isPlainObject(rawProfiles) ? rawProfiles : {})) {
    const named = profileNameSchema.safeParse(name);
    const parsed = profileSchema.safeParse(raw);
    if (!named.success) invalidProfiles.push({ name, problem: formatIssues(named.error) });
    else if (!parsed.success) invalidProfiles.push({ name, problem: `Profile "${name}": ${formatIssues(parsed.error)}` });
    else profiles[name] = parsed.data;
  }
  return { surface: { mode, threshold, profiles }, invalidProfiles };
}

/** Holds the current Config and tells listeners when settings change it. */
export class ConfigStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Config>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private snapshot: string;
  current: Config;

  constructor() {
    this.current = readConfig();
    this.snapshot = fingerprint(this.current);
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(CONFIG_SECTION)) this.refresh();
    });
  }

  /** Re-reads settings; fires onDidChange only when what they mean changed. */
  refresh(): Config {
    const next = readConfig();
    const nextSnapshot = fingerprint(next);
    if (nextSnapshot !== this.snapshot) {
      this.current = next;
      this.snapshot = nextSnapshot;
      this.changed.fire(next);
    }
    return this.current;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function fingerprint(config: Config): string {
  return JSON.stringify([[...config.proxies.values()], config.invalid, config.agentCanAddProxies, config.surface, config.invalidProfiles]);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
