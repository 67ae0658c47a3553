import * as vscode from 'vscode';
import type { ProxyEntry } from '../../core/registry/registry';
import { CONFIG_SECTION, ConfigKey } from '../constants';
import { type RawProxies, rawProxiesOf, type SettingsScope } from './config';

/**
 * Writes proxy entries to user or workspace settings. Writes are serialized:
 * each one reads the scope's current object and replaces one key, so two
 * quick changes (the user and the agent) never overwrite each other.
 */
export class ProxySettings {
  private queue: Promise<unknown> = Promise.resolve();

  /** Adds or replaces the entry `name` in `scope`. */
  upsert(name: string, entry: ProxyEntry, scope: SettingsScope): Promise<void> {
    return this.edit(scope, (proxies) => {
      proxies[name] = plainEntry(entry);
    });
  }

  /** Adds or replaces several entries of one scope in a single write. */
  upsertMany(entries: ReadonlyMap<string, ProxyEntry>, scope: SettingsScope): Promise<void> {
    return this.edit(scope, (proxies) => {
      for (const [name, entry] of entries) proxies[name] = plainEntry(entry);
    });
  }

  /** Changes the entry `name` of `scope` with `change`; does nothing if it is not there. */
  update(name: string, scope: SettingsScope, change: (entry: ProxyEntry) => ProxyEntry): Promise<void> {
    return this.edit(scope, (proxies) => {
      const current = proxies[name];
      if (current !== undefined) proxies[name] = plainEntry(change(current as ProxyEntry));
    });
  }

  /** Removes `name` from every scope that defines it, and returns those scopes. */
  async remove(name: string): Promise<SettingsScope[]> {
    const removedFrom: SettingsScope[] = [];
    for (const scope of scopesDefining(name)) {
      await this.edit(scope, (proxies) => {
        delete proxies[name];
      });
      removedFrom.push(scope);
    }
    return removedFrom;
  }

  private edit(scope: SettingsScope, change: (proxies: RawProxies) => void): Promise<void> {
    const run = async () => {
      if (scope === 'workspace' && !hasWorkspace()) {
        throw new Error('No folder is open, so there are no workspace settings: open a folder or save the proxy in user settings.');
      }
      const proxies = rawProxiesOf(scope);
      change(proxies);
      const target = scope === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
      // An empty object is written as "unset", so the settings file does not keep an empty key around.
      const value = Object.keys(proxies).length === 0 ? undefined : proxies;
      await vscode.workspace.getConfiguration(CONFIG_SECTION).update(ConfigKey.proxies, value, target);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** The scopes whose settings define a proxy called `name`. */
export function scopesDefining(name: string): SettingsScope[] {
  return (['workspace', 'user'] as const).filter((scope) => Object.hasOwn(rawProxiesOf(scope), name));
}

/** Whether workspace settings can be written: a folder or a workspace file is open. */
export function hasWorkspace(): boolean {
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 0 || vscode.workspace.workspaceFile !== undefined;
}

/** The entry as settings.json should hold it: no undefined fields. */
function plainEntry(entry: ProxyEntry): ProxyEntry {
  return JSON.parse(JSON.stringify(entry)) as ProxyEntry;
}
