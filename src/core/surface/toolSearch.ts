import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import MiniSearch, { type SearchOptions } from 'minisearch';
import type { Catalog, FrontTool } from './catalog';
import { distinctTerms, queryTerms, stem, tokenize } from './searchTerms';

/** What the index reads of a catalog: each proxy's tools (the switchboard's own are not searched). */
export type IndexedCatalog = Pick<Catalog, 'toolSections'>;

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

/**
 * A term in more than this share of the tools is common. Past half, BM25's
 * original idf, log((N − n + 0.5) / (n + 0.5)), turns negative: the term says
 * more about the tools that lack it than about those that have it.
 */
const COMMON_SHARE = 0.5;

/**
 * The search over every tool the front offers, for search mode: BM25 (MiniSearch's
 * BM25+) with field weights, names split on `_`, `-` and camelCase, and
 * stemming. It follows the catalog incrementally: it looks only at the
 * proxies whose tools changed, and indexes again only the tools whose backend
 * definition, front name or override did.
 */
export class ToolIndex {
  private readonly index = new MiniSearch<IndexedTool>({
    fields: ['name', 'title', 'description', 'parameters'],
    tokenize,
    processTerm: stem,
    searchOptions: {
      boost: FIELD_BOOSTS,
      // Prefixes ("rememb" finds "remember"); no fuzzy matching: agents spell well, and over thousands of
      // tools the edits it tries cost more than the whole rest of a search.
      prefix: (term) => term.length > 3,
      processTerm: queryTerms,
    },
  });
  /** Each proxy's tools as last indexed, by proxy name: a proxy whose array the catalog kept did not change. */
  private readonly sections = new Map<string, readonly FrontTool[]>();
  /** The indexed tools by front name, with what each was made from, to tell what changed. */
  private readonly indexed = new Map<string, FrontTool>();
  /** How many indexed tools have each term: what tells a query's common terms. */
  private readonly toolsWithTerm = new Map<string, number>();

  /** Brings the index up to date with a catalog; costs only the proxies whose tools changed since the last one. */
  update(catalog: IndexedCatalog): void {
    const { toolSections } = catalog;
    const changed = [...toolSections.keys()].filter((proxy) => toolSections.get(proxy) !== this.sections.get(proxy));
    for (const proxy of this.sections.keys()) if (!toolSections.has(proxy)) changed.push(proxy);
    if (changed.length === 0) return;
    // Every stale tool goes before any is added: a front name may pass from one proxy to another.
    const gone: string[] = [];
    for (const proxy of changed) {
      const now = new Map((toolSections.get(proxy) ?? []).map((front) => [front.tool.name, front]));
      for (const was of this.sections.get(proxy) ?? []) {
        const same = now.get(was.tool.name);
        if (same?.source === was.source && same.override === was.override) continue;
        gone.push(was.tool.name);
        this.indexed.delete(was.tool.name);
        this.count(document(was.tool), -1);
      }
    }
    // Discarded, not removed: MiniSearch drops their entries later, a batch at a time, instead of tokenizing them again now.
    this.index.discardAll(gone);
    const fresh: IndexedTool[] = [];
    for (const proxy of changed) {
      const section = toolSections.get(proxy);
      if (section === undefined) {
        this.sections.delete(proxy);
        continue;
      }
      this.sections.set(proxy, section);
      for (const front of section) {
        const indexedBefore = this.indexed.has(front.tool.name);
        this.indexed.set(front.tool.name, front);
        if (indexedBefore) continue;
        const indexed = document(front.tool);
        this.count(indexed, 1);
        fresh.push(indexed);
      }
    }
    this.index.addAll(fresh);
  }

  /** The best matches for a query, best first, among the tools `accept` lets through. */
  search(query: string, limit: number, accept: (tool: Tool) => boolean): Tool[] {
    const found: Tool[] = [];
    const leftOut = this.leftOut(query);
    const options: SearchOptions = leftOut.size === 0 ? {} : { processTerm: (word) => queryTerms(word).filter((term) => !leftOut.has(term)) };
    for (const hit of this.index.search(query, options)) {
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

  /**
   * The terms of a query to leave out. MiniSearch scores every tool a term is
   * in, so a term most tools have ("records", "first" over thousands of
   * similar tools) costs a score, and garbage, for each of them while BM25
   * weighs it near nothing. Such terms are left out when another term picks
   * tools; when none does, only the least common of them is searched for: the
   * ranking of tools that all have the query's words says little anyway.
   * (Lucene's common-terms query goes on to score the common terms on the
   * tools the others found; MiniSearch could only do that by visiting every
   * tool they are in, most of such a search's time at 5,000 tools.)
   */
  private leftOut(query: string): Set<string> {
    const common = new Map<string, number>();
    let picking = false;
    for (const word of tokenize(query)) {
      for (const term of queryTerms(word)) {
        const tools = this.toolsWithTerm.get(term) ?? 0;
        if (tools > COMMON_SHARE * this.indexed.size) common.set(term, tools);
        else if (tools > 0) picking = true;
      }
    }
    if (!picking) {
      const [leastCommon] = [...common].reduce((least, next) => (next[1] < least[1] ? next : least), ['', Infinity]);
      common.delete(leastCommon);
    }
    return new Set(common.keys());
  }

  private count(tool: IndexedTool, change: 1 | -1): void {
    for (const term of distinctTerms([tool.name, tool.title, tool.description, tool.parameters])) {
      const tools = (this.toolsWithTerm.get(term) ?? 0) + change;
      if (tools === 0) this.toolsWithTerm.delete(term);
      else this.toolsWithTerm.set(term, tools);
    }
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
