import { type ProxyEntry, parseProxyEntry, urlProblem } from '../../core/registry/registry';

/** A URL typed where a target is asked for: anything that starts with a scheme. */
const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Turns what the user typed as "URL or command" into a proxy entry, or explains
 * why it cannot be one, in the same words the server would use.
 */
export function entryFromTarget(name: string, text: string): { entry: ProxyEntry } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'Type the URL of an MCP server (http:// or https://) or the command that starts one.' };
  let input: Record<string, unknown>;
  if (LOOKS_LIKE_URL.test(trimmed)) {
    const problem = urlProblem(trimmed);
    if (problem) return { problem };
    input = { url: trimmed };
  } else {
    const words = splitCommandLine(trimmed);
    if (typeof words === 'string') return { problem: words };
    const [command, ...args] = words;
    input = args.length > 0 ? { command, args } : { command };
  }
  try {
    return { entry: parseProxyEntry(name, input) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Splits a command line into words the way a POSIX shell would for plain
 * quoting ('single', "double", a backslash before a space or quote), without
 * running a shell. Other backslashes stay, so Windows paths work as typed.
 * Returns a message when a quote is left open.
 */
export function splitCommandLine(line: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index++) {
    const character = line[index] ?? '';
    if (quote === "'") {
      if (character === "'") quote = undefined;
      else word += character;
    } else if (quote === '"') {
      if (character === '"') quote = undefined;
      else if (character === '\\' && (line[index + 1] === '"' || line[index + 1] === '\\')) word += line[++index];
      else word += character;
    } else if (character === "'" || character === '"') {
      quote = character;
      inWord = true;
    } else if (character === '\\' && /[\s'"\\]/.test(line[index + 1] ?? '')) {
      word += line[++index];
      inWord = true;
    } else if (/\s/.test(character)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += character;
      inWord = true;
    }
  }
  if (quote) return `A ${quote === '"' ? 'double' : 'single'} quote is not closed: close it, or remove it.`;
  if (inWord) words.push(word);
  return words;
}
