import * as vscode from 'vscode';
import { describeTarget, type TransportKind, transportOf } from '../../core/registry/registry';
import type { Profile } from '../../core/registry/registry';
import type { ProxyState, ProxyStatus } from '../../core/status';
import type { ToolSurface } from '../../core/surface/surfaceModes';
import type { ConfigStore, ConfiguredProxy, SettingsScope, SurfaceConfig } from '../settings/config';
import { profileUrl } from '../connectionConfig';
import type { StatusStore } from '../server/statusStore';
import type { ServerPhase, SwitchboardLink } from '../server/switchboardLink';
import { blockedReason, type WorkspaceTrust } from '../settings/trust';

/** A proxy as the UI shows it: what settings say, joined with what the server reports. */
export interface ProxyRow {
  readonly name: string;
  readonly scope: SettingsScope;
  /** The valid entry; undefined when the settings entry does not parse. */
  readonly configured: ConfiguredProxy | undefined;
  readonly status: ProxyStatus | undefined;
  readonly state: ProxyState | 'invalid';
  /** Why it is not connected, when there is a reason to show. */
  readonly problem: string | undefined;
  /** For an entry that does not parse: each of its problems. */
  readonly problems?: readonly string[];
  readonly transport: TransportKind | undefined;
  readonly target: string;
  /** Tools it contributes to the front (excluded ones not counted). */
  readonly toolCount: number;
}

/** A profile as the UI shows it: where it is served and how it shows its tools. */
export interface ProfileRow {
  readonly name: string;
  /** The parsed profile; undefined when its settings entry does not parse. */
  readonly profile: Profile | undefined;
  /** Why it is not served, for an entry that does not parse. */
  readonly problem: string | undefined;
  /** Its own surface, else mcpSwitchboard.toolSurface. */
  readonly surface: ToolSurface;
  /** Whether the surface is the profile's own rather than the setting's. */
  readonly ownSurface: boolean;
  /** Its path on the switchboard's endpoint: `/mcp/<name>`. */
  readonly path: string;
  /** Its full URL, while the server runs. */
  readonly url: string | undefined;
}

/** Totals for the status bar. Every entry in settings counts once, as the tree lists it. */
export interface ProxySummary {
  /** Entries in settings: valid or not, enabled or not. */
  readonly total: number;
  /** How many entries are in each state. */
  readonly byState: Readonly<Record<ProxyRow['state'], number>>;
  /** The connected proxies' tools that clients see (hidden ones not counted). */
  readonly proxyTools: number;
  /** Of those, the pinned ones (`tools.pin`): listed in search mode too. */
  readonly pinnedTools: number;
  /** Proxies in error and entries that do not parse, by name. */
  readonly failing: readonly string[];
  /** Proxies whose servers wait for the user to sign in. */
  readonly needsSignIn: readonly string[];
}

/** The one place that decides what each proxy's state is, for the tree, the status bar and the pickers. */
export class ProxyModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly config: ConfigStore,
    private readonly statuses: StatusStore,
    private readonly link: SwitchboardLink,
    private readonly trust: WorkspaceTrust,
  ) {
    const fire = () => this.changed.fire();
    this.subscriptions = [
      config.onDidChange(fire),
      statuses.onDidChange(fire),
      link.onDidChangePhase(fire),
      trust.onDidChange(fire),
    ];
  }

  /** How tools are shown to clients (mcpSwitchboard.toolSurface and its threshold). */
  get surface(): SurfaceConfig {
    return this.config.current.surface;
  }

  get phase(): ServerPhase {
    return this.link.phase;
  }

  rows(): ProxyRow[] {
    const { proxies, invalid } = this.config.current;
    const phase = this.link.phase;
    const rows = [...proxies.values()].map((proxy) => rowOf(proxy, this.statuses.get(proxy.name), phase, this.trust.isTrusted));
    for (const broken of invalid) {
      rows.push({
        name: broken.name,
        scope: broken.scope,
        configured: undefined,
        status: undefined,
        state: 'invalid',
        problem: broken.problem,
        problems: broken.problems,
        transport: undefined,
        target: 'invalid settings entry',
        toolCount: 0,
      });
    }
    return rows;
  }

  /** The profiles in settings, valid or not, in settings order. */
  profiles(): ProfileRow[] {
    const { surface, invalidProfiles } = this.config.current;
    const phase = this.link.phase;
    const endpoint = phase.kind === 'running' ? phase.url : undefined;
    const place = (name: string) => ({
      path: `${endpoint === undefined ? '/mcp' : new URL(endpoint).pathname.replace(/\/$/, '')}/${name}`,
      url: endpoint === undefined ? undefined : profileUrl(endpoint, name),
    });
    const rows: ProfileRow[] = Object.entries(surface.profiles).map(([name, profile]) => ({
      name,
      profile,
      problem: undefined,
      surface: profile.surface ?? surface.mode,
      ownSurface: profile.surface !== undefined,
      ...place(name),
    }));
    for (const { name, problem } of invalidProfiles) {
      rows.push({ name, profile: undefined, problem, surface: surface.mode, ownSurface: false, ...place(name) });
    }
    return rows;
  }

  row(name: string): ProxyRow | undefined {
    return this.rows().find((row) => row.name === name);
  }

  summary(): ProxySummary {
    const rows = this.rows();
    const byState = { connected: 0, connecting: 0, 'needs-sign-in': 0, error: 0, disabled: 0, stopped: 0, invalid: 0 };
    for (const row of rows) byState[row.state] += 1;
    return {
      total: rows.length,
      byState,
      proxyTools: rows.reduce((sum, row) => sum + (row.state === 'connected' ? row.toolCount : 0), 0),
      pinnedTools: rows.reduce((sum, row) => sum + (row.state === 'connected' ? (row.status?.tools.filter((tool) => tool.pinned && !tool.excluded).length ?? 0) : 0), 0),
      failing: rows.filter((row) => row.state === 'error' || row.state === 'invalid').map((row) => row.name),
      needsSignIn: rows.filter((row) => row.state === 'needs-sign-in').map((row) => row.name),
    };
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}

function rowOf(proxy: ConfiguredProxy, status: ProxyStatus | undefined, phase: ServerPhase, trusted: boolean): ProxyRow {
  const base = {
    name: proxy.name,
    scope: proxy.scope,
    configured: proxy,
    transport: transportOf(proxy.entry),
    target: describeTarget(proxy.entry),
  };
  const blocked = blockedReason(proxy, trusted);
  if (proxy.entry.enabled === false || blocked !== undefined) {
    return { ...base, status, state: 'disabled', problem: blocked, toolCount: 0 };
  }
  if (status) {
    return { ...base, status, state: status.state, problem: status.error, toolCount: status.toolCount };
  }
  switch (phase.kind) {
    case 'idle':
      return { ...base, status, state: 'stopped', problem: undefined, toolCount: 0 };
    case 'failed':
      return { ...base, status, state: 'error', problem: `The switchboard server is not running: ${phase.reason}.`, toolCount: 0 };
    default:
      return { ...base, status, state: 'connecting', problem: undefined, toolCount: 0 };
  }
}
