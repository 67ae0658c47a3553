/**
 * Every id the extension shares with its manifest (package.json), defined once.
 * A test checks that each command here is contributed there.
 */

export const EXTENSION_ID = 'mcp-switchboard.mcp-switchboard';

/** The settings section and the keys under it. */
export const CONFIG_SECTION = 'mcpSwitchboard';
export const ConfigKey = {
  proxies: 'proxies',
  agentCanAddProxies: 'agentCanAddProxies',
  toolSurface: 'toolSurface',
  toolSurfaceThreshold: 'toolSurfaceThreshold',
  profiles: 'profiles',
  sharedSwitchboard: 'sharedSwitchboard',
  port: 'port',
} as const;

export const VIEW_CONTAINER_ID = 'mcpSwitchboard';
export const PROXIES_VIEW_ID = 'mcpSwitchboard.proxies';

/** The MCP server definition provider, and the label VS Code shows (and uses in the server id). */
export const MCP_PROVIDER_ID = 'mcpSwitchboard.server';
export const MCP_SERVER_LABEL = 'MCP Switchboard';

export const OUTPUT_CHANNEL_NAME = 'MCP Switchboard';

export const Command = {
  addProxy: 'mcpSwitchboard.addProxy',
  listProxies: 'mcpSwitchboard.listProxies',
  removeProxy: 'mcpSwitchboard.removeProxy',
  restartProxy: 'mcpSwitchboard.restartProxy',
  toggleProxy: 'mcpSwitchboard.toggleProxy',
  enableProxy: 'mcpSwitchboard.enableProxy',
  disableProxy: 'mcpSwitchboard.disableProxy',
  editProxyInSettings: 'mcpSwitchboard.editProxyInSettings',
  showLogs: 'mcpSwitchboard.showLogs',
  copyConnectionConfig: 'mcpSwitchboard.copyConnectionConfig',
  importServers: 'mcpSwitchboard.importServers',
  refresh: 'mcpSwitchboard.refresh',
  restartServer: 'mcpSwitchboard.restartServer',
  rotateToken: 'mcpSwitchboard.rotateToken',
  setSecret: 'mcpSwitchboard.setSecret',
  openResource: 'mcpSwitchboard.openResource',
  signIn: 'mcpSwitchboard.signIn',
  signOut: 'mcpSwitchboard.signOut',
} as const;
export type CommandId = (typeof Command)[keyof typeof Command];

/**
 * The switchboard's own tools, which every client sees beside the proxies'
 * (core's managementTools defines them; the status bar counts them).
 */
export const MANAGEMENT_TOOL_NAMES = ['add_proxy', 'list_proxies', 'remove_proxy'] as const;

/** The tools that find and call the others when the tool surface searches (core's toolSurface defines them). */
export const SEARCH_TOOL_NAMES = ['search_tools', 'call_tool'] as const;

/** Copilot sends at most this many tools per request; more and some are silently left out. */
export const COPILOT_TOOL_LIMIT = 128;
