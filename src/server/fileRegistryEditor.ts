import type { RegistryEditor } from '../core/managementTools';
import type { ProxyEntry, ProxyMount, Registry } from '../core/registry';
import type { RegistryFile } from '../core/registryFile';

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

/** Mounts every entry of a file registry with the scope `file`. */
export function fileMounts(registry: Registry): Record<string, ProxyMount> {
  return Object.fromEntries(Object.entries(registry).map(([name, entry]) => [name, { entry, scope: 'file' as const }]));
}
