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
const SERVER_NAME = 'switchboard';

/**
 * What another MCP client needs to reach this window's switchboard over
 * Streamable HTTP. The URL and token last as long as this VS Code window.
 */
export function connectionConfig(client: ClientKind, url: string, token: string): ConnectionConfig {
  const authorization = `Bearer ${token}`;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  switch (client) {
    case 'claudeDesktop':
      // Claude Desktop's config file starts local (stdio) servers; mcp-remote bridges stdio to an HTTP server.
      return {
        client: 'Claude Desktop',
        where: 'under "mcpServers" in claude_desktop_config.json',
        text: json({
          mcpServers: {
            [SERVER_NAME]: {
              command: 'npx',
              args: ['-y', 'mcp-remote', url, '--header', 'Authorization:${SWITCHBOARD_AUTH}'],
              env: { SWITCHBOARD_AUTH: authorization },
            },
          },
        }),
      };
    case 'claudeCode':
      return {
        client: 'Claude Code',
        where: 'as a command in a terminal',
        text: `claude mcp add --transport http ${SERVER_NAME} ${url} --header "Authorization: ${authorization}"\n`,
      };
    case 'cursor':
      return {
        client: 'Cursor',
        where: 'under "mcpServers" in ~/.cursor/mcp.json or .cursor/mcp.json',
        text: json({ mcpServers: { [SERVER_NAME]: { url, headers: { Authorization: authorization } } } }),
      };
    case 'vscode':
      return {
        client: 'VS Code mcp.json',
        where: 'under "servers" in .vscode/mcp.json (another editor or window)',
        text: json({ servers: { [SERVER_NAME]: { type: 'http', url, headers: { Authorization: authorization } } } }),
      };
  }
}
