import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { jsonSchemaOf, toolError } from '../front/toolResults';
import { type Catalog, type ClientToolView, callableWith } from './catalog';
import { formatIssues, type Profile, type Profiles } from '../registry/registry';
import { DEFAULT_SEARCH_THRESHOLD, type ToolSurface } from './surfaceModes';
import { compileToolFilter } from './toolFilter';

/**
 * What a client is shown of the tools: all of them, or (search mode) the
 * switchboard's own tools, the pinned ones, and two tools to find and call
 * any other — for clients that cap how many tools they take (Copilot sends at
 * most 128 per request) or pay for every listed schema in context tokens.
 * A profile (served at /mcp/<profile>) narrows the tools to a set and may
 * choose its own surface.
 */

export const SEARCH_TOOL = 'search_tools';
export const CALL_TOOL = 'call_tool';
const DEFAULT_LIMIT = 8;
const MAX_LIMIT = 50;

/** How the front shows tools, as the user set it. */
export interface SurfaceSettings {
  readonly mode: ToolSurface;
  /** For `auto`: search when more tools than this are visible. */
  readonly threshold: number;
  readonly profiles: Profiles;
}

export const DEFAULT_SURFACE: SurfaceSettings = { mode: 'all', threshold: DEFAULT_SEARCH_THRESHOLD, profiles: {} };

const searchArguments = z.strictObject({
  query: z.string().trim().min(1, { error: 'Give a query: words that say what the tool should do.' }).max(500, { error: 'A query is at most 500 characters.' }),
  limit: z.number().int().min(1).max(MAX_LIMIT, { error: `limit is at most ${MAX_LIMIT}.` }).optional(),
});
const callArguments = z.strictObject({
  name: z.string({ error: 'Give "name": the name search_tools gave the tool.' }).min(1),
  arguments: z.record(z.string(), z.unknown()).optional(),
});
const foundSchema = z.object({ tools: z.array(z.object({ name: z.string(), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()) })) });

/** search_tools and call_tool, listed in search mode. */
const SURFACE_TOOLS: readonly Tool[] = [
  {
    name: SEARCH_TOOL,
    title: 'Search the tools',
    description: `Finds the tools for a task among every tool behind the switchboard, best match first, with their input schemas. Call one with ${CALL_TOOL}.`,
    inputSchema: jsonSchemaOf(searchArguments),
    outputSchema: jsonSchemaOf(foundSchema),
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: CALL_TOOL,
    title: 'Call a tool',
    description: `Calls a tool that ${SEARCH_TOOL} found, by its name, with its arguments.`,
    inputSchema: jsonSchemaOf(callArguments),
    annotations: { openWorldHint: true },
  },
];

/** One client's view of the tools: what it can call (its capabilities and profile) and how they are shown. */
export class SessionSurface {
  constructor(
    private readonly view: ClientToolView,
    private readonly profileName: string | undefined,
  ) {}

  /** The tools this client may see and call, whatever the surface. */
  visible(catalog: Catalog, settings: SurfaceSettings): Tool[] {
    const accept = this.accepts(settings);
    return catalog.toolsFor(this.view).filter((tool) => accept(tool.name));
  }

  /** Whether the client may call this tool: its view and its profile allow it. */
  acceptsTool(settings: SurfaceSettings): (tool: Tool) => boolean {
    const callable = callableWith(this.view);
    const named = this.accepts(settings);
    return (tool) => callable(tool) && named(tool.name);
  }

  /** Whether the client may call a tool of this front name (it is visible to it, listed or not). */
  accepts(settings: SurfaceSettings): (frontName: string) => boolean {
    const profile = this.profile(settings);
    return profile ? profileFilter(profile) : () => true;
  }

  /** Whether this client is shown the search surface now. */
  searching(catalog: Catalog, settings: SurfaceSettings): boolean {
    const mode = this.profile(settings)?.surface ?? settings.mode;
    if (mode !== 'auto') return mode === 'search';
    return this.visible(catalog, settings).length > settings.threshold;
  }

  /** The tools/list answer for this client, as UTF-8 JSON, cached per catalog and view. */
  listJson(catalog: Catalog, settings: SurfaceSettings): Buffer {
    const searching = this.searching(catalog, settings);
    const key = `${this.view.tasks}/${this.view.apps}/${this.profileName ?? ''}/${searching}`;
    return catalog.cachedToolsJson(key, () => this.listed(catalog, settings, searching));
  }

  /** The tools listed to this client. */
  listed(catalog: Catalog, settings: SurfaceSettings, searching = this.searching(catalog, settings)): Tool[] {
    const visible = this.visible(catalog, settings);
    if (!searching) return visible;
    const own = visible.filter((tool) => !catalog.toolSources.has(tool.name));
    return [...own, ...SURFACE_TOOLS, ...visible.filter((tool) => catalog.pinned.has(tool.name))];
  }

  private profile(settings: SurfaceSettings): Profile | undefined {
    return this.profileName === undefined ? undefined : settings.profiles[this.profileName];
  }
}

/** Parses search_tools' arguments, or returns the error to answer. */
export function parseSearch(args: unknown): { query: string; limit: number } | CallToolResult {
  const parsed = searchArguments.safeParse(args ?? {});
  if (!parsed.success) return toolError(`${SEARCH_TOOL} was not done: ${formatIssues(parsed.error)}`);
  return { query: parsed.data.query, limit: parsed.data.limit ?? DEFAULT_LIMIT };
}

/** Parses call_tool's arguments, or returns the error to answer. */
export function parseCall(args: unknown): { name: string; arguments: Record<string, unknown> } | CallToolResult {
  const parsed = callArguments.safeParse(args ?? {});
  if (!parsed.success) return toolError(`${CALL_TOOL} was not done: ${formatIssues(parsed.error)}`);
  return { name: parsed.data.name, arguments: parsed.data.arguments ?? {} };
}

/** search_tools' answer: the tools as structured content, and a short text for clients that show only text. */
export function searchResult(query: string, tools: readonly Tool[]): CallToolResult {
  const found = tools.map((tool) => ({ name: tool.name, ...(tool.description !== undefined && { description: tool.description }), inputSchema: tool.inputSchema }));
  const text =
    found.length === 0
      ? `No tool matches "${query}". Try other words.`
      : found.map((tool) => `- ${tool.name}: ${firstSentence(tool.description ?? '')}`).join('\n') + `\n\nCall one with ${CALL_TOOL}({ name, arguments }).`;
  return { content: [{ type: 'text', text }], structuredContent: { tools: found } };
}

const filters = new WeakMap<Profile, (name: string) => boolean>();

function profileFilter(profile: Profile): (name: string) => boolean {
  let filter = filters.get(profile);
  if (!filter) {
    filter = compileToolFilter(profile);
    filters.set(profile, filter);
  }
  return filter;
}

function firstSentence(text: string): string {
  const sentence = /^[^\n]*?[.!?](\s|$)/.exec(text)?.[0] ?? text.split('\n', 1)[0] ?? '';
  return sentence.trim().slice(0, 200);
}
