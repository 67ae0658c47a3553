/**
 * How the front shows tools: every tool, or a search over them (`auto`:
 * search when more than a threshold are visible). Kept free of the rest of
 * core, so the CLI reads its command line without loading the engine.
 */
export const TOOL_SURFACES = ['all', 'search', 'auto'] as const;
export type ToolSurface = (typeof TOOL_SURFACES)[number];

/** Above this many visible tools, `auto` switches to search: Copilot's cap per request. */
export const DEFAULT_SEARCH_THRESHOLD = 128;
