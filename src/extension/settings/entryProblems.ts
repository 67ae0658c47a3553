import type { z } from 'zod';
import { proxyEntrySchema, proxyNameSchema } from '../../core/registry/registry';

/** Stand-ins for a `url` or `command` the schema refused, so the checks that need one still run. */
const STAND_INS: Record<string, string> = { url: 'http://127.0.0.1/', command: 'command' };

/**
 * Every problem of a settings entry that does not parse, one sentence each,
 * in words a person reads in a tooltip. The registry's schema stops at the
 * first structural problem (a wrong type hides "needs a url or a command"),
 * so fields it refused are set aside and the entry is checked again.
 * `whole` (the registry's own message) stands in when the schema finds nothing.
 */
export function entryProblems(name: string, raw: unknown, whole: string): string[] {
  const problems: string[] = [];
  const add = (sentence: string) => {
    const capitalized = sentence.charAt(0).toUpperCase() + sentence.slice(1);
    if (!problems.includes(capitalized)) problems.push(capitalized);
  };
  const nameResult = proxyNameSchema.safeParse(name);
  if (!nameResult.success) for (const issue of nameResult.error.issues) add(sentenceOf(issue));

  let candidate = raw;
  for (let pass = 0; pass < 3; pass++) {
    const result = proxyEntrySchema.safeParse(candidate);
    if (result.success) break;
    for (const issue of result.error.issues) add(sentenceOf(issue));
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) break;
    const refused = new Set(result.error.issues.filter((issue) => issue.code !== 'custom').flatMap(refusedKeys));
    if (refused.size === 0) break;
    candidate = Object.fromEntries(
      Object.entries(candidate).flatMap(([key, value]): [string, unknown][] => {
        if (!refused.has(key)) return [[key, value]];
        const standIn = STAND_INS[key];
        return standIn === undefined ? [] : [[key, standIn]];
      }),
    );
  }
  return problems.length > 0 ? problems : [whole.replace(/^Proxy "[^"]*": /, '')];
}

/** The entry's own keys an issue is about. */
function refusedKeys(issue: z.core.$ZodIssue): string[] {
  if (issue.path.length > 0) return [String(issue.path[0])];
  return issue.code === 'unrecognized_keys' ? issue.keys : [];
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text in quotes',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object ({ … })',
  array: 'a list ([ … ])',
};

/** One issue as a sentence that says where it is and what would be right. */
function sentenceOf(issue: z.core.$ZodIssue): string {
  const where = placeOf(issue.path);
  const subject = where === '' ? 'The entry' : where;
  switch (issue.code) {
    case 'invalid_type':
      return `${subject} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}.`;
    case 'too_small':
      if (issue.origin === 'string') return `${subject} must not be empty.`;
      return `${subject} must be at least ${String(issue.minimum)}.`;
    case 'too_big':
      return `${subject} must be at most ${String(issue.maximum)}.`;
    case 'invalid_value':
      return `${subject} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
    case 'unrecognized_keys': {
      const keys = issue.keys.map((key) => `"${key}"`).join(', ');
      const known = issue.keys.length === 1 ? 'is not a setting' : 'are not settings';
      return `${keys} ${known} ${where === '' ? 'of a proxy' : `of ${where}`}: remove ${issue.keys.length === 1 ? 'it' : 'them'} or check the spelling.`;
    }
    default: {
      const message = /[.!?]$/.test(issue.message) ? issue.message : `${issue.message}.`;
      // The registry's own messages usually name the field already.
      const key = issue.path[0];
      return where === '' || (key !== undefined && message.includes(`"${String(key)}"`)) ? message : `${where}: ${message}`;
    }
  }
}

/** `["args", 0]` → `item 1 of "args"`; `["tools", "exclude"]` → `"tools.exclude"`. */
function placeOf(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  if (typeof last === 'number') return `item ${last + 1} of ${placeOf(path.slice(0, -1))}`;
  return path.length === 0 ? '' : `"${path.map(String).join('.')}"`;
}
