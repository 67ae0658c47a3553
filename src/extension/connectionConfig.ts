/**
 * The MCP clients Copy Connection Config knows how to configure. The plain
 * kinds run `mcp-switchboard connect` (stdio): the user's shared
 * switchboard, which stays put across VS Code restarts. The `…Window` kinds
 * get this window's Streamable HTTP URL and token, which last as long as the
 * window, and serve its workspace proxies too.
 */
export const CLIENTS = ['claudeDesktop', 'claudeCode', 'cursor', 'vscode', 'claudeCodeWindow', 'cursorWindow', 'vscodeWindow'] as const;
export type ClientKind = (typeof CLIENTS)[number];

/** Whether a client kind gets this window's URL rather than the shared switchboard's `connect`. */
export function isWindowConfig(client: ClientKind): boolean {
  return client.endsWith('Window');
}

export interface ConnectionConfig {
  readonly client: string;
  /** Where the text goes, said to the user when it is copied. */
  readonly where: string;
  readonly text: string;
}

/** The server's name in other clients' configs: the same short name VS Code's tool prefix uses. */
const BASE_SERVER_NAME = 'switchboard';

/** Where a profile is served: the switchboard's endpoint, then `/<profile>`. */
export function profileUrl(endpoint: string, profile: string): string {
  return `${endpoint.replace(/\/$/, '')}/${encodeURIComponent(profile)}`;
}

/**
 * What another MCP client needs to reach the switchboard, for all its tools
 * or one profile's (`<endpoint>/<profile>`, `connect --profile`). `cliPath`
 * is a copy of the CLI that stays where it is across extension updates.
 */
export function connectionConfig(client: ClientKind, endpoint: string, token: string, profile: string | undefined, cliPath: string): ConnectionConfig {
  // A profile's server gets its own name, so a client can have it beside the whole switchboard.
  const serverName = profile === undefined ? BASE_SERVER_NAME : `${BASE_SERVER_NAME}-${profile}`;
  const url = profile === undefined ? endpoint : profileUrl(endpoint, profile);
  const authorization = `Bearer ${token}`;
  const args = [cliPath, 'connect', ...(profile === undefined ? [] : ['--profile', profile])];
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  switch (client) {
    case 'claudeDesktop':
      return { client: 'Claude Desktop', where: 'under "mcpServers" in claude_desktop_config.json', text: json({ mcpServers: { [serverName]: { command: 'node', args } } }) };
    case 'claudeCode':
      return { client: 'Claude Code', where: 'as a command in a terminal', text: `claude mcp add ${serverName} -- node ${args.map(shellWord).join(' ')}\n` };
    case 'cursor':
      return { client: 'Cursor', where: 'under "mcpServers" in ~/.cursor/mcp.json or .cursor/mcp.json', text: json({ mcpServers: { [serverName]: { command: 'node', args } } }) };
    case 'vscode':
      return {
        client: 'VS Code mcp.json',
        where: 'under "servers" in .vscode/mcp.json (another editor or window)',
        text: json({ servers: { [serverName]: { type: 'stdio', command: 'node', args } } }),
      };
    case 'claudeCodeWindow':
      return {
        client: 'Claude Code',
        where: 'as a command in a terminal',
        text: `claude mcp add --transport http ${serverName} ${url} --header "Authorization: ${authorization}"\n`,
      };
    case 'cursorWindow':
      return {
        client: 'Cursor',
        where: 'under "mcpServers" in ~/.cursor/mcp.json or .cursor/mcp.json',
        text: json({ mcpServers: { [serverName]: { url, headers: { Authorization: authorization } } } }),
      };
    case 'vscodeWindow':
      return {
        client: 'VS Code mcp.json',
        where: 'under "servers" in .vscode/mcp.json (another editor or window)',
        text: json({ servers: { [serverName]: { type: 'http', url, headers: { Authorization: authorization } } } }),
      };
  }
}

/** A word as a POSIX shell reads it back: quoted when it has anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
