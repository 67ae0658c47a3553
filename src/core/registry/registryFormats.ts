import { basename } from 'node:path';
import { proxyCountProblem } from './limits';
import { formatIssues, isReservedName, type Profiles, type ProxyEntry, profilesSchema, type Registry, parseProxyEntry } from './registry';

/** The file layouts a registry can be read from. Only `switchboard` and `array` are ever written. */
export type RegistryFormat = 'switchboard' | 'array' | 'vscode' | 'claude' | 'vscodeSettings';

export interface ParsedRegistryDocument {
  readonly format: RegistryFormat;
  readonly registry: Registry;
  /** Entries that could not be taken as they were, and what was done about each. */
  readonly notes: string[];
  /** The file's tool profiles (a switchboard proxies.json only). */
  readonly profiles: Profiles;
}

const FORMAT_NAMES: Record<RegistryFormat, string> = {
  switchboard: 'a switchboard proxies.json',
  array: "the tutorial's array form",
  vscode: "VS Code's mcp.json",
  claude: "Claude Desktop's config",
  vscodeSettings: "VS Code's settings.json",
};

/** The keys of VS Code's settings.json that hold the switchboard's registry and profiles. */
const SETTINGS_PROXIES = 'mcpSwitchboard.proxies';
const SETTINGS_PROFILES = 'mcpSwitchboard.profiles';

/** Whether the switchboard may write back a file of this format (others belong to other programs). */
export function isWritableFormat(format: RegistryFormat): boolean {
  return format === 'switchboard' || format === 'array';
}

/** A readable name for a format, for messages. */
export function formatName(format: RegistryFormat): string {
  return FORMAT_NAMES[format];
}

/**
 * Whether a parsed JSON value is an object. Checked by hand rather than with
 * a zod record, which drops a "__proto__" key without a word: such a key must
 * reach the entry parser, to be refused rather than lost.
 */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a registry from the text of a proxies.json (`{"proxies": {name: entry}}`),
 * the original tutorial's `{"proxies": [{name, …}]}`, VS Code's mcp.json
 * (`"servers"`), Claude Desktop's config (`"mcpServers"`) or VS Code's user
 * settings.json (`"mcpSwitchboard.proxies"`, so the registry kept in VS Code
 * serves the CLI too).
 * Throws one message saying what is wrong and where when the text cannot be used.
 */
export function parseRegistryDocument(text: string, source: string): ParsedRegistryDocument {
  let document: unknown;
  try {
    // A byte order mark is what some Windows editors start a UTF-8 file with; JSON.parse refuses it.
    document = JSON.parse(stripJsonComments(text.replace(/^\uFEFF/, '')));
  } catch (error) {
    throw new Error(`${source} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Fix it; it was not changed.`);
  }
  if (!isRecord(document)) throw new Error(`${source} must hold a JSON object with "proxies", "servers" or "mcpServers".`);
  if (isSettingsDocument(document, source)) return readSettings(document, source);
  const { proxies, servers, mcpServers } = document;
  const parsed = Array.isArray(proxies)
    ? readArray(proxies, source)
    : proxies !== undefined
      ? readObject(proxies, source, 'switchboard', (entry) => entry)
      : servers !== undefined
        ? readObject(servers, source, 'vscode', fromForeignEntry)
        : mcpServers !== undefined
          ? readObject(mcpServers, source, 'claude', fromForeignEntry)
          : undefined;
  if (!parsed) throw new Error(`${source} has no "proxies", "servers" or "mcpServers" key: nothing to read.`);
  const tooMany = proxyCountProblem(Object.keys(parsed.registry).length);
  if (tooMany) throw new Error(`${source} has ${tooMany}: remove some.`);
  if (document.profiles === undefined || (parsed.format !== 'switchboard' && parsed.format !== 'array')) return parsed;
  const profiles = profilesSchema.safeParse(document.profiles);
  if (!profiles.success) throw new Error(`${source}: profiles: ${formatIssues(profiles.error)}`);
  return { ...parsed, profiles: profiles.data };
}

/** Serializes a registry in the switchboard's own format. */
export function serializeRegistry(registry: Registry, profiles: Profiles = {}): string {
  const document = Object.keys(profiles).length === 0 ? { proxies: registry } : { proxies: registry, profiles };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function readArray(items: unknown[], source: string): ParsedRegistryDocument {
  const registry: Registry = {};
  items.forEach((item, index) => {
    if (!isRecord(item)) throw new Error(`${source}: proxies[${index}] must be an object with a "name".`);
    const { name, ...entry } = item;
    if (typeof name !== 'string') throw new Error(`${source}: proxies[${index}] has no "name".`);
    if (Object.hasOwn(registry, name)) throw new Error(`${source}: the name "${name}" is used twice; names must be unique.`);
    registry[name] = entryOrThrow(name, entry, source);
  });
  return { format: 'array', registry, notes: [], profiles: {} };
}

function readObject(
  value: unknown,
  source: string,
  format: RegistryFormat,
  convert: (entry: Record<string, unknown>) => Record<string, unknown>,
): ParsedRegistryDocument {
  if (!isRecord(value)) throw new Error(`${source}: the registry must be an object keyed by proxy name.`);
  const registry: Registry = {};
  const notes: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    if (!isRecord(raw)) throw new Error(`${source}: "${key}" must be an object.`);
    if (format === 'switchboard') {
      registry[key] = entryOrThrow(key, raw, source);
      continue;
    }
    // Imports: a name other programs accept may not be valid here, so it is adapted rather than refused.
    const name = importedName(key, registry);
    if (name !== key) notes.push(`"${key}" was renamed "${name}" (names are 1–32 letters, digits, "_" or "-").`);
    try {
      registry[name] = parseProxyEntry(name, convert(raw));
    } catch (error) {
      notes.push(`"${key}" was skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { format, registry, notes, profiles: {} };
}

/**
 * A VS Code settings.json: it has the switchboard's keys, or only the dotted
 * keys settings have (`editor.fontSize`), or nothing yet in a file of that
 * name (the user's settings before the first one is set).
 */
function isSettingsDocument(document: Record<string, unknown>, source: string): boolean {
  if (Object.hasOwn(document, SETTINGS_PROXIES) || Object.hasOwn(document, SETTINGS_PROFILES)) return true;
  const keys = Object.keys(document);
  if (keys.length === 0) return basename(source) === 'settings.json';
  return keys.every((key) => key.includes('.'));
}

/**
 * VS Code's settings.json, as VS Code itself treats it: an entry that is not
 * valid is left out with a note (the tree shows it as invalid), and the rest
 * is served; invalid profiles are left out the same way.
 */
function readSettings(document: Record<string, unknown>, source: string): ParsedRegistryDocument {
  const proxies = document[SETTINGS_PROXIES] ?? {};
  if (!isRecord(proxies)) throw new Error(`${source}: "${SETTINGS_PROXIES}" must be an object keyed by proxy name.`);
  const registry: Registry = {};
  const notes: string[] = [];
  for (const [name, raw] of Object.entries(proxies)) {
    try {
      registry[name] = parseProxyEntry(name, raw);
    } catch (error) {
      notes.push(`"${name}" in ${SETTINGS_PROXIES} was left out: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const tooMany = proxyCountProblem(Object.keys(registry).length);
  if (tooMany) throw new Error(`${source} has ${tooMany}: remove some.`);
  const profiles = profilesSchema.safeParse(document[SETTINGS_PROFILES] ?? {});
  if (!profiles.success) notes.push(`${SETTINGS_PROFILES} was left out: ${formatIssues(profiles.error)}`);
  return { format: 'vscodeSettings', registry, notes, profiles: profiles.success ? profiles.data : {} };
}

function entryOrThrow(name: string, entry: unknown, source: string): ProxyEntry {
  try {
    return parseProxyEntry(name, entry);
  } catch (error) {
    throw new Error(`${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Maps an mcp.json / Claude Desktop server to a proxy entry: same fields, `type` becomes `transport`. */
function fromForeignEntry(entry: Record<string, unknown>): Record<string, unknown> {
  const { type, command, args, env, cwd, url, headers } = entry;
  const transport = type === 'stdio' || type === 'http' || type === 'sse' ? type : undefined;
  return Object.fromEntries(
    Object.entries({ command, args, env, cwd, url, headers, transport }).filter(([, value]) => value !== undefined),
  );
}

function importedName(key: string, taken: Registry): string {
  const base = key.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'server';
  let name = base;
  for (let number = 2; Object.hasOwn(taken, name) || isReservedName(name); number++) name = `${base.slice(0, 30)}-${number}`;
  return name;
}

/** VS Code's JSON files allow comments and trailing commas; drop both (outside strings) before parsing. */
function stripJsonComments(text: string): string {
  let result = '';
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    const next = text[index + 1];
    if (inString) {
      result += character;
      if (character === '\\') result += text[++index] ?? '';
      else if (character === '"') inString = false;
    } else if (character === '"') {
      inString = true;
      result += character;
    } else if (character === '/' && next === '/') {
      while (index < text.length && text[index] !== '\n') index++;
      result += '\n';
    } else if (character === '/' && next === '*') {
      index = text.indexOf('*/', index + 2);
      if (index === -1) break;
      index++;
    } else if (character === ',' && /^\s*[}\]]/.test(text.slice(index + 1, index + 200))) {
      // A trailing comma: drop it.
    } else {
      result += character;
    }
  }
  return result;
}
