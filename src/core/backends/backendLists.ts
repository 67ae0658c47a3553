import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Prompt, Resource, ResourceTemplate, ServerCapabilities, Tool } from '@modelcontextprotocol/sdk/types.js';
import { passthroughResult } from '../passthrough';

export type ListKind = 'tools' | 'resources' | 'prompts';

export const LIST_KINDS: readonly ListKind[] = ['tools', 'resources', 'prompts'];

/** Most pages read from one list, so a backend that always returns a cursor cannot loop us forever. */
const MAX_PAGES = 1_000;

/** The copies of a backend's lists that the catalog is built from, and how they are read. */
export class BackendLists {
  tools: readonly Tool[] = [];
  resources: readonly Resource[] = [];
  templates: readonly ResourceTemplate[] = [];
  prompts: readonly Prompt[] = [];

  constructor(private readonly timeoutMs: number) {}

  /** Reads one list again, every page of it, from what the server says it offers. */
  async fetch(kind: ListKind, client: Client, capabilities: ServerCapabilities): Promise<void> {
    if (kind === 'tools') {
      this.tools = capabilities.tools ? await this.listAll<Tool>(client, 'tools/list', 'tools') : [];
    } else if (kind === 'prompts') {
      this.prompts = capabilities.prompts ? await this.listAll<Prompt>(client, 'prompts/list', 'prompts') : [];
    } else if (capabilities.resources) {
      [this.resources, this.templates] = await Promise.all([
        this.listAll<Resource>(client, 'resources/list', 'resources'),
        this.listAll<ResourceTemplate>(client, 'resources/templates/list', 'resourceTemplates'),
      ]);
    } else {
      this.resources = [];
      this.templates = [];
    }
  }

  /** Empties every list; returns whether there was anything in them. */
  clear(): boolean {
    const had = this.tools.length + this.resources.length + this.templates.length + this.prompts.length > 0;
    this.tools = [];
    this.resources = [];
    this.templates = [];
    this.prompts = [];
    return had;
  }

  private async listAll<T>(client: Client, method: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await client.request(cursor === undefined ? { method } : { method, params: { cursor } }, passthroughResult, { timeout: this.timeoutMs });
      const pageItems = result[key];
      if (Array.isArray(pageItems)) items.push(...(pageItems as T[]));
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (cursor === undefined) break;
    }
    return items;
  }
}
