import type { ProxyEntry } from '../../core/registry/registry';

/**
 * The entry with one tool shown or hidden, as a tree checkbox asks. Hiding adds
 * the tool's own name to `tools.exclude`; showing takes it out again and, when
 * an `include` list limits the proxy, adds the name there.
 */
export function withToolShown(entry: ProxyEntry, toolName: string, shown: boolean): ProxyEntry {
  const include = entry.tools?.include;
  let exclude = entry.tools?.exclude ?? [];
  let nextInclude = include;
  if (shown) {
    exclude = exclude.filter((pattern) => pattern !== toolName);
    if (include !== undefined && !include.includes(toolName)) nextInclude = [...include, toolName];
  } else if (!exclude.includes(toolName)) {
    exclude = [...exclude, toolName];
  }
  const tools = {
    ...(nextInclude !== undefined && { include: nextInclude }),
    ...(exclude.length > 0 && { exclude }),
  };
  const { tools: _previous, ...rest } = entry;
  return Object.keys(tools).length > 0 ? { ...rest, tools } : rest;
}
