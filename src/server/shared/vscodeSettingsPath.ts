import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The VS Code builds whose user settings hold the registry, in the order they are looked for. */
const PRODUCTS = ['Code', 'Code - Insiders', 'VSCodium'];

/**
 * Where VS Code keeps the user's settings.json on this platform, for each
 * build (Code, Insiders, VSCodium), and code-server's; the first that exists
 * is the registry `connect` serves when given none.
 */
export function vscodeSettingsCandidates(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const home = homedir();
  const base =
    platform === 'darwin'
      ? join(home, 'Library', 'Application Support')
      : platform === 'win32'
        ? (env['APPDATA'] ?? join(home, 'AppData', 'Roaming'))
        : (env['XDG_CONFIG_HOME'] || join(home, '.config'));
  const codeServer = join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'code-server', 'User', 'settings.json');
  return [...PRODUCTS.map((product) => join(base, product, 'User', 'settings.json')), codeServer];
}

/** The first VS Code user settings.json that exists, or undefined. */
export function findVsCodeSettings(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return vscodeSettingsCandidates(env).find((path) => existsSync(path));
}
