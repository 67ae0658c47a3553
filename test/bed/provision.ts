/**
 * The heavy parts of the bed (Chromium, Node 24, code-server), from
 * provision.sh: it installs what is missing into a cache outside the
 * repository and prints where everything is. When all is cached it only checks.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { captureStep, StepError } from './processes';

export interface Tools {
  /** Node 24, which code-server requires (the machine's own Node may be older). */
  readonly node24: string;
  /** code-server's entry.js: VS Code's server and its web workbench. */
  readonly codeServerEntry: string;
  readonly chromium: string;
}

export async function provision(repo: string): Promise<Tools> {
  const started = Date.now();
  const output = await captureStep('Provisioning the test bed', 'bash', [join(repo, 'test', 'bed', 'provision.sh')]);
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.+)$/.exec(line.trim());
    if (match?.[1] && match[2]) values.set(match[1], match[2]);
  }
  const get = (key: string): string => {
    const value = values.get(key);
    if (!value || !existsSync(value)) throw new StepError(`provision.sh did not report a usable ${key} (got ${JSON.stringify(value)}).`);
    return value;
  };
  const tools = { node24: get('NODE24'), codeServerEntry: get('CODE_SERVER_ENTRY'), chromium: get('CHROMIUM') };
  console.log(`[bed] provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tools;
}
