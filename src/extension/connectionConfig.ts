/** The MCP clients Copy Connection Config knows how to configure. */
export const CLIENTS = ['claudeDesktop', 'claudeCode', 'cursor', 'vscode'] as const;
export type ClientKind = (typeof CLIENTS)[number];

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
 * or one profile's (`<endpoint>/<profile>`). HTTP clients get this window's
 * URL and token, which last as long as the window. Claude Desktop, which runs
 * only stdio servers, gets `mcp-switchboard connect` (`cliPath`, a copy of
 * the CLI that stays where it is across updates): the user's shared
 * switchboard serving the user settings' proxies, which keeps working after
 * VS Code closes.
 */
export function connectionConfig(client: ClientKind, endpoint: string, token: string, profile: string | undefined, cliPath: string): ConnectionConfig {
  // A profile's server gets its own name, so a client can have it beside the whole switchboard.
  const serverName = profile === undefined ? BASE_SERVER_NAME : `${BASE_SERVER_NAME}-${profile}`;
  const url = profile === undefined ? endpoint : profileUrl(endpoint, profile);
  const authorization = `Bearer ${token}`;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  switch (client) {
    case 'claudeDesktop':
      return {
        client: 'Claude Desktop',
        where: 'under "mcpServers" in claude_desktop_config.json',
        text: json({
          mcpServers: { [serverName]: { command: 'node', args: [cliPath, 'connect', ...(profile === undefined ? [] : ['--profile', profile])] } },
        }),
      };
    case 'claudeCode':
      return {
        client: 'Claude Code',
        where: 'as a command in a terminal',
        text: `claude mcp add --transport http ${serverName} ${url} --header "Authorization: ${authorization}"\n`,
      };
    case 'cursor':
      return {
        client: 'Cursor',
        where: 'under "mcpServers" in ~/.cursor/mcp.json or .cursor/mcp.json',
        text: json({ mcpServers: { [serverName]: { url, headers: { Authorization: authorization } } } }),
      };
    case 'vscode':
      return {
        client: 'VS Code mcp.json',
        where: 'under "servers" in .vscode/mcp.json (another editor or window)',
        text: json({ servers: { [serverName]: { type: 'http', url, headers: { Authorization: authorization } } } }),
      };
  }
}
