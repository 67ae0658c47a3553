import { homedir } from 'node:os';
import type { ExpansionContext } from '../../core/registry/expand';

/** Where the CLI's `${…}` values come from. `${secret:KEY}` reads the environment: there is no secret store outside VS Code. */
export function cliExpansion(): ExpansionContext {
  return {
    env: process.env,
    userHome: homedir(),
    workspaceFolder: process.cwd(),
    secret: (key) => process.env[cliSecretVariable(key)],
  };
}

/** The environment variable that gives the CLI `${secret:KEY}`. */
export function cliSecretVariable(key: string): string {
  return `MCP_SWITCHBOARD_SECRET_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
