import type { RegistryEditor } from '../../core/front/managementTools';
import type { ProxyEntry, ProxyMount, Registry } from '../../core/registry/registry';
import type { RegistryFile } from '../../core/registry/registryFile';
import type { RegistryFormat } from '../../core/registry/registryFormats';
import { secretKeys } from '../../core/registry/expand';
import { cliSecretVariable } from './expansion';

/**
 * The CLI's answer to add_proxy and remove_proxy: change proxies.json and mount
 * the result. A command proxy runs arbitrary code, so the agent may add one
 * only when the user started the switchboard with --allow-agent-commands.
 */
export class FileRegistryEditor implements RegistryEditor {
  constructor(
    private readonly file: RegistryFile,
    private readonly apply: (registry: Registry) => void,
    private readonly allowAgentCommands: boolean,
  ) {}

  async add(name: string, entry: ProxyEntry): Promise<void> {
    if (entry.command !== undefined && !this.allowAgentCommands) {
      throw new Error(
        'the agent may not add command proxies here (a command runs arbitrary code). Restart the switchboard with --allow-agent-commands, or add it to the registry file yourself.',
      );
    }
    this.apply(await this.file.update((registry) => ({ ...registry, [name]: entry })));
  }

  async remove(name: string): Promise<void> {
    this.apply(
      await this.file.update((registry) => {
        const { [name]: _removed, ...rest } = registry;
        return rest;
      }),
    );
  }
}

/**
 * Mounts every entry of a file registry with the scope `file`. Entries read
 * from VS Code's settings take `${secret:KEY}` from VS Code's secret storage,
 * which no process outside VS Code can read (the user's switchboard has them
 * while a VS Code window is attached to it): one whose secret neither a
 * window nor the environment gives waits, saying so, instead of failing in a retry loop.
 */
export function fileMounts(
  registry: Registry,
  format: RegistryFormat,
  secret: (key: string) => string | undefined,
  windowsAttach: boolean,
): Record<string, ProxyMount> {
  return Object.fromEntries(
    Object.entries(registry).map(([name, entry]) => {
      const missing = format === 'vscodeSettings' ? secretKeys(entry).filter((key) => secret(key) === undefined) : [];
      return [name, { entry, scope: 'file' as const, ...(missing.length > 0 && { blockedReason: needsVsCode(missing, windowsAttach) }) }];
    }),
  );
}

function needsVsCode(keys: readonly string[], windowsAttach: boolean): string {
  const uses = keys.map((key) => `\${secret:${key}}`).join(', ');
  const variables = keys.map(cliSecretVariable).join(', ');
  const where = windowsAttach
    ? 'it runs here while a VS Code window that has it is attached (mcpSwitchboard.sharedSwitchboard). To run it without one'
    : "it runs in VS Code's switchboard. To run it here too";
  return `It uses ${uses}, kept in VS Code's secret storage, which only a VS Code window can read: ${where}, set ${variables} in this switchboard's environment.`;
}
