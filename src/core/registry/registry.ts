import { z } from 'zod';
import { formatBytes, MAX_COMMAND_CHARACTERS, MAX_ENTRY_BYTES } from './limits';
import { TOOL_SURFACES } from '../surface/surfaceModes';

/** Proxy names: what is allowed, said once so every error message agrees. */
export const PROXY_NAME_RULE = '1–32 characters of letters, digits, "_" and "-"';
const PROXY_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const PREFIX_PATTERN = /^[A-Za-z0-9_-]{0,32}$/;

/** The transports a backend can be reached over. */
export const TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

/** Where an entry of the registry comes from: VS Code settings scopes, or the CLI's file. */
export type ProxyScope = 'user' | 'workspace' | 'file';

/**
 * Names that JavaScript objects give a meaning of their own: an entry called
 * `__proto__` would be silently dropped by JSON handling on its way to the
 * file or settings, so these are refused rather than lost.
 */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a name is one of the few that are refused although they match the pattern. */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

export const proxyNameSchema = z
  .string({ error: `A proxy name is required: ${PROXY_NAME_RULE}.` })
  .regex(PROXY_NAME_PATTERN, { error: (issue) => `"${String(issue.input)}" is not a valid proxy name: use ${PROXY_NAME_RULE}.` })
  .refine((name) => !isReservedName(name), {
    error: (issue) => `"${String(issue.input)}" is reserved (so are ${[...RESERVED_NAMES].join(', ')}): choose another proxy name.`,
  });

const stringMap = z.record(z.string(), z.string());

/** What a front name may be: what clients accept, within the length VS Code leaves a tool name. */
const FRONT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,46}$/;

/** A per-tool override: how one of a proxy's tools is shown on the front; calls still reach the original. */
const toolOverrideSchema = z.strictObject({
  name: z
    .string()
    .regex(FRONT_NAME_PATTERN, { error: (issue) => `"${String(issue.input)}" is not a valid tool name: use 1–46 letters, digits, "_" and "-".` })
    .optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});
export type ToolOverride = z.infer<typeof toolOverrideSchema>;

const toolFilterSchema = z.strictObject({
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  /** Globs on the proxy's own tool names: tools listed even in search mode. */
  pin: z.array(z.string()).optional(),
  /** By the proxy's own tool name. */
  overrides: z.record(z.string(), toolOverrideSchema).optional(),
});

/** What may stand for a secret in an entry: a variable, never the secret itself. */
const SECRET_REFERENCE = /^\$\{(secret|env):[^}]+\}$/;

/**
 * How a `url` proxy signs in to a server that asks for OAuth 2.1. Every field is
 * optional: with none, the switchboard discovers the authorization server and
 * registers itself dynamically. `false` never tries (a 401 is then an error).
 */
const oauthSchema = z.union([
  z.literal(false),
  z.strictObject({
    /** A client registered with the authorization server beforehand. */
    clientId: z.string().min(1).optional(),
    /** Its secret, as `${secret:KEY}` (or `${env:NAME}`): the secret itself never sits in settings or the file. */
    clientSecret: z
      .string()
      .regex(SECRET_REFERENCE, {
        error: 'Write the client secret as ${secret:KEY} (stored with Set Secret…) or ${env:NAME}, not as the secret itself.',
      })
      .optional(),
    /** An https URL of a Client ID Metadata Document, used as the client id where the server supports it. */
    clientMetadataUrl: z.url({ protocol: /^https$/, error: 'clientMetadataUrl must be an https:// URL.' }).optional(),
    /** Scopes to ask for when the server names none. */
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, { error: 'A scope is one word of printable characters, without quotes or backslashes.' })).optional(),
    /** The loopback port of the sign-in callback, for a client registered with a fixed redirect URL. */
    redirectPort: z.number().int().min(1024).max(65535).optional(),
  }),
]);
export type OAuthEntry = z.infer<typeof oauthSchema>;

/**
 * One backend MCP server, as the user writes it in settings or proxies.json.
 * Exactly one of `url` or `command`; variables like `${env:X}` stay unexpanded here.
 */
export const proxyEntrySchema = z
  .strictObject({
    url: z.string().optional(),
    headers: stringMap.optional(),
    command: z.string().optional(),
    args: z.array(z.string()).optional(),
    env: stringMap.optional(),
    cwd: z.string().optional(),
    transport: z.enum(TRANSPORTS).optional(),
    enabled: z.boolean().optional(),
    prefix: z
      .string()
      .regex(PREFIX_PATTERN, { error: 'A prefix is up to 32 letters, digits, "_" and "-", or "" to mount without one.' })
      .optional(),
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
    tools: toolFilterSchema.optional(),
    oauth: oauthSchema.optional(),
  })
  .superRefine((entry, context) => {
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (size > MAX_ENTRY_BYTES) {
      context.addIssue({ code: 'custom', message: `The entry is ${size} bytes of JSON, over the limit of ${formatBytes(MAX_ENTRY_BYTES)}.` });
      return;
    }
    const commandCharacters = commandLength(entry);
    if (commandCharacters > MAX_COMMAND_CHARACTERS) {
      context.addIssue({
        code: 'custom',
        message: `The command, its arguments and its environment are ${commandCharacters} characters, over the limit of ${MAX_COMMAND_CHARACTERS.toLocaleString('en-US')} (what every system can start).`,
      });
      return;
    }
    const hasUrl = entry.url !== undefined;
    const hasCommand = entry.command !== undefined;
    if (hasUrl === hasCommand) {
      context.addIssue({
        code: 'custom',
        message: hasUrl
          ? 'Give either "url" or "command", not both.'
          : 'Give a "url" (http:// or https://) or a "command" to run.',
      });
      return;
    }
    if (hasUrl) {
      const problem = urlProblem(entry.url ?? '');
      if (problem) context.addIssue({ code: 'custom', path: ['url'], message: problem });
      if (entry.oauth && entry.oauth.clientSecret !== undefined && entry.oauth.clientId === undefined) {
        context.addIssue({ code: 'custom', path: ['oauth', 'clientSecret'], message: 'A clientSecret belongs to a clientId: give the clientId too.' });
      }
      for (const key of ['args', 'env', 'cwd'] as const) {
        if (entry[key] !== undefined) {
          context.addIssue({ code: 'custom', path: [key], message: `"${key}" applies to a "command" proxy, not to a "url" one.` });
        }
      }
      if (entry.transport === 'stdio') {
        context.addIssue({ code: 'custom', path: ['transport'], message: 'A "url" proxy uses transport "http" or "sse", not "stdio".' });
      }
    } else {
      if (entry.command?.trim() === '') {
        context.addIssue({ code: 'custom', path: ['command'], message: 'The command is empty: give the program to run.' });
      }
      for (const key of ['headers', 'oauth'] as const) {
        if (entry[key] !== undefined) {
          context.addIssue({ code: 'custom', path: [key], message: `"${key}" applies to a "url" proxy, not to a "command" one.` });
        }
      }
      if (entry.transport !== undefined && entry.transport !== 'stdio') {
        context.addIssue({ code: 'custom', path: ['transport'], message: 'A "command" proxy uses transport "stdio".' });
      }
    }
  });

export type ProxyEntry = z.infer<typeof proxyEntrySchema>;


/** A profile's name, as it appears in its URL path (`/mcp/<profile>`). */
export const profileNameSchema = z
  .string()
  .regex(PROXY_NAME_PATTERN, { error: (issue) => `"${String(issue.input)}" is not a valid profile name: use ${PROXY_NAME_RULE}.` })
  .refine((name) => !RESERVED_NAMES.has(name), { error: (issue) => `"${String(issue.input)}" is reserved: choose another profile name.` });

/** A named tool set for some clients: globs over front names, and its own surface. */
export const profileSchema = z.strictObject({
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  surface: z.enum(TOOL_SURFACES).optional(),
});
export type Profile = z.infer<typeof profileSchema>;
export const profilesSchema = z.record(profileNameSchema, profileSchema);
export type Profiles = z.infer<typeof profilesSchema>;

/** Characters of a command line and environment as the system gets them: arguments with a separator, `KEY=VALUE` each. */
function commandLength(entry: { command?: string | undefined; args?: string[] | undefined; env?: Record<string, string> | undefined }): number {
  let length = entry.command?.length ?? 0;
  for (const argument of entry.args ?? []) length += argument.length + 1;
  for (const [key, value] of Object.entries(entry.env ?? {})) length += key.length + value.length + 2;
  return length;
}

/** The registry: proxy entries keyed by name (an object, so VS Code merges scopes entry by entry). */
export const registrySchema = z.record(proxyNameSchema, proxyEntrySchema);
export type Registry = z.infer<typeof registrySchema>;

/** An entry as the switchboard mounts it: where it came from, and why it may not start. */
export interface ProxyMount {
  readonly entry: ProxyEntry;
  readonly scope: ProxyScope;
  /** Set when the host forbids starting it (e.g. an untrusted workspace); shown as its state. */
  readonly blockedReason?: string | undefined;
}

/** Explains why a URL cannot be a backend, or returns undefined when it can. */
export function urlProblem(url: string): string | undefined {
  // A URL with variables is checked after expansion, when connecting.
  if (url.includes('${')) return /^https?:\/\//i.test(url) ? undefined : `"${url}" must start with http:// or https://.`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL: give one like http://localhost:3001/mcp.`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `"${url}" uses ${parsed.protocol.replace(/:$/, '')}: only http:// and https:// URLs are supported.`;
  }
  return undefined;
}

/** The transport used for an entry: the one given, else stdio for a command, SSE for `/sse` URLs, else Streamable HTTP. */
export function transportOf(entry: ProxyEntry): TransportKind {
  if (entry.transport) return entry.transport;
  if (entry.command !== undefined) return 'stdio';
  return isSseUrl(entry.url ?? '') ? 'sse' : 'http';
}

function isSseUrl(url: string): boolean {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return /\/sse\/?$/i.test(path);
}

/** What a proxy runs or connects to, in one line for lists, logs and confirmations. */
export function describeTarget(entry: ProxyEntry): string {
  if (entry.url !== undefined) return entry.url;
  return [entry.command ?? '', ...(entry.args ?? [])].map(quoteArgument).join(' ');
}

function quoteArgument(argument: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(argument) ? argument : JSON.stringify(argument);
}

/** Validates one entry and returns it, or throws an Error whose message lists every problem. */
export function parseProxyEntry(name: string, input: unknown): ProxyEntry {
  const nameResult = proxyNameSchema.safeParse(name);
  if (!nameResult.success) throw new Error(formatIssues(nameResult.error));
  const reservedKey = protoKeyPath(input, '');
  if (reservedKey !== undefined) throw new Error(`Proxy "${name}": ${reservedKey}: "__proto__" cannot be used as a key; rename it.`);
  const result = proxyEntrySchema.safeParse(input);
  if (!result.success) throw new Error(`Proxy "${name}": ${formatIssues(result.error)}`);
  return result.data;
}

/** Where a value holds an own `__proto__` key (which parsing would drop without a word), or undefined. */
function protoKeyPath(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`;
    if (key === '__proto__') return where;
    const found = protoKeyPath(item, where);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Turns zod issues into one readable sentence per problem, with the path where it is. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return `${where}${issue.message}`;
    })
    .join(' ');
}

/** Whether two entries mount the same thing (so a registry change can leave the proxy connected). */
export function sameEntry(a: ProxyEntry, b: ProxyEntry): boolean {
  return stableStringify(a) === stableStringify(b);
}

/**
 * Whether two entries reach the backend the same way, so a change between
 * them (the tool filter, the prefix) applies to the catalog without a new connection.
 */
export function sameConnection(a: ProxyEntry, b: ProxyEntry): boolean {
  return connectionText(a) === connectionText(b);
}

/** The part of an entry that says how the backend is reached, as text that is equal exactly when `sameConnection` holds. */
export function connectionText(entry: ProxyEntry): string {
  const { tools: _tools, prefix: _prefix, ...connection } = entry;
  return stableStringify(connection);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
