import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import type { Catalog } from './catalog';

/** One tool as the index holds it. */
interface IndexedTool {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly parameters: string;
}

/**
 * How much a match counts, by field: a tool's name says most about what it
 * does, then its title, its parameters' names, and its description, which is
 * long and says much else besides.
 */
const FIELD_BOOSTS = { name: 3, title: 2, parameters: 1.5, description: 1 };

/** Words that say nothing about which tool is meant. */
const STOP_WORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'i', 'in', 'is', 'it', 'me', 'my', 'of', 'on', 'or', 'the', 'this', 'to', 'what', 'with']);

/**
 * Words people use for what tools call otherwise, by stem: a request for "the
 * files in this folder" should find a tool that lists a directory. Applied to
 * queries only.
 */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  folder: ['directori'],
  directori: ['folder'],
  dir: ['directori'],
  repo: ['repositori'],
  repositori: ['repo'],
  delet: ['remov'],
  remov: ['delet'],
  forget: ['delet', 'remov'],
  find: ['search'],
  search: ['find'],
  ticket: ['issu'],
  fetch: ['get'],
  save: ['write'],
  store: ['write', 'save'],
  pictur: ['imag', 'media'],
  photo: ['imag', 'media'],
  imag: ['media'],
  rememb: ['memori', 'entiti', 'observ'],
  link: ['relat'],
  connect: ['relat'],
  repeat: ['echo'],
  sever: ['multipl'],
  approv: ['review'],
};

/** Words as a tool's names spell them: `get_file-info`, `getFileInfo` and "get file info" are the same three words. */
function tokenize(text: string): string[] {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/);
}

/** A word reduced to its stem ("listing", "lists" → "list"), or null for a word to leave out. */
function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length === 0 || STOP_WORDS.has(lower)) return null;
  return stemmer(lower);
}

/**
 * The search over every tool the front offers, for search mode: BM25 (MiniSearch's
 * BM25+) with field weights, names split on `_`, `-` and camelCase, and
 * stemming. It follows the catalog incrementally: only tools whose backend
 * definition or override changed are indexed again.
 */
export class ToolIndex {
  private readonly index = new MiniSearch<IndexedTool>({
    fields: ['name', 'title', 'description', 'parameters'],
    tokenize,
    processTerm,
    searchOptions: {
      boost: FIELD_BOOSTS,
      // Prefixes ("rememb" finds "remember"); no fuzzy matching: agents spell well, and over thousands of
      // tools the edits it tries cost more than the whole rest of a search.
      prefix: (term) => term.length > 3,
      processTerm: (term) => {
        const stem = processTerm(term);
        return stem === null ? null : [stem, ...(SYNONYMS[stem] ?? [])];
      },
    },
  });
  /** What each indexed front name was indexed from, to tell what changed. */
  private readonly indexed = new Map<string, { source: Tool; override: unknown; tool: Tool }>();
  private catalog: Catalog | undefined;

  /** Brings the index up to date with a catalog; costs only what changed since the last one. */
  update(catalog: Catalog): void {
    if (catalog === this.catalog) return;
    this.catalog = catalog;
    for (const [name, entry] of this.indexed) {
      const now = catalog.toolSources.get(name);
      if (now?.source === entry.source && now.override === entry.override) continue;
      this.index.discard(name);
      this.indexed.delete(name);
    }
    const fresh: IndexedTool[] = [];
    for (const tool of catalog.tools) {
      const source = catalog.toolSources.get(tool.name);
      if (!source || this.indexed.has(tool.name)) continue; // The switchboard's own tools are not searched.
      this.indexed.set(tool.name, { source: source.source, override: source.override, tool });
      fresh.push(document(tool));
    }
    this.index.addAll(fresh);
  }

  /** The best matches for a query, best first, among the tools `accept` lets through. */
  search(query: string, limit: number, accept: (tool: Tool) => boolean): Tool[] {
    const found: Tool[] = [];
    for (const hit of this.index.search(query)) {
      const tool = this.indexed.get(String(hit.id))?.tool;
      if (!tool || !accept(tool)) continue;
      found.push(tool);
      if (found.length === limit) break;
    }
    return found;
  }

  /** How many tools are indexed. */
  get size(): number {
    return this.indexed.size;
  }
}

/**
 * How much of a description is indexed: what a tool does is said first, and
 * the rest (examples, caveats, pages of usage notes) would cost memory and
 * time on every search while adding mostly noise.
 */
const DESCRIPTION_CHARACTERS = 300;

function document(tool: Tool): IndexedTool {
  const properties = (tool.inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return {
    id: tool.name,
    name: tool.name,
    title: tool.title ?? (tool.annotations as { title?: string } | undefined)?.title ?? '',
    description: (tool.description ?? '').slice(0, DESCRIPTION_CHARACTERS),
    parameters: Object.keys(properties).join(' '),
  };
}
