import type { ProxyEntry } from './registry';

/** Where `${…}` variables in an entry get their values. Injected so hosts (CLI, VS Code) and tests choose. */
export interface ExpansionContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly userHome: string;
  readonly workspaceFolder?: string | undefined;
  readonly secret: (key: string) => string | undefined;
}

const VARIABLE = /\$\{([A-Za-z]+)(?::([^}]*))?\}/g;

/**
 * Expands `${env:NAME}`, `${userHome}`, `${workspaceFolder}` and `${secret:KEY}` in every
 * string of an entry, for connecting only (the registry keeps the unexpanded text).
 * Throws one sentence naming the first variable that has no value.
 */
export function expandEntry(entry: ProxyEntry, context: ExpansionContext): ProxyEntry {
  const expand = (text: string): string =>
    text.replace(VARIABLE, (whole, kind: string, argument: string | undefined) => {
      const value = resolve(kind, argument, context);
      if (value === undefined) throw new Error(missingMessage(whole, kind, argument));
      return value;
    });
  const expandMap = (map: Record<string, string> | undefined) =>
    map && Object.fromEntries(Object.entries(map).map(([key, value]) => [key, expand(value)]));
  return {
    ...entry,
    ...(entry.url !== undefined && { url: expand(entry.url) }),
    ...(entry.headers !== undefined && { headers: expandMap(entry.headers) }),
    ...(entry.command !== undefined && { command: expand(entry.command) }),
    ...(entry.args !== undefined && { args: entry.args.map(expand) }),
    ...(entry.env !== undefined && { env: expandMap(entry.env) }),
    ...(entry.cwd !== undefined && { cwd: expand(entry.cwd) }),
    ...(entry.oauth && {
      oauth: {
        ...entry.oauth,
        ...(entry.oauth.clientId !== undefined && { clientId: expand(entry.oauth.clientId) }),
        ...(entry.oauth.clientSecret !== undefined && { clientSecret: expand(entry.oauth.clientSecret) }),
      },
    }),
  };
}

/** The `${secret:KEY}` keys an entry uses, so a host can fetch or ask for them before connecting. */
export function secretKeys(entry: ProxyEntry): string[] {
  const strings = [
    entry.url,
    entry.command,
    entry.cwd,
    ...(entry.args ?? []),
    ...Object.values(entry.headers ?? {}),
    ...Object.values(entry.env ?? {}),
    ...(entry.oauth ? [entry.oauth.clientId, entry.oauth.clientSecret] : []),
  ];
  const keys = new Set<string>();
  for (const text of strings) {
    for (const match of (text ?? '').matchAll(VARIABLE)) {
      if (match[1] === 'secret' && match[2]) keys.add(match[2]);
    }
  }
  return [...keys];
}

function resolve(kind: string, argument: string | undefined, context: ExpansionContext): string | undefined {
  switch (kind) {
    case 'env':
      return argument ? context.env[argument] : undefined;
    case 'userHome':
      return context.userHome;
    case 'workspaceFolder':
      return context.workspaceFolder;
    case 'secret':
      return argument ? context.secret(argument) : undefined;
    default:
      return undefined;
  }
}

function missingMessage(whole: string, kind: string, argument: string | undefined): string {
  switch (kind) {
    case 'env':
      return `${whole} is not set: set the environment variable ${argument ?? ''} or change the entry.`;
    case 'workspaceFolder':
      return `${whole} has no value: open a folder, or use an absolute path.`;
    case 'secret':
      return `${whole} has no value: store the secret "${argument ?? ''}" first.`;
    default:
      return `${whole} is not a known variable: use \${env:NAME}, \${userHome}, \${workspaceFolder} or \${secret:KEY}.`;
  }
}
