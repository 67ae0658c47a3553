import { stemmer } from 'stemmer';

/**
 * How tool search turns text into terms, the same way for the tools it
 * indexes and for the queries it answers: words as tools' names spell them,
 * stemmed, without stop words, and (for queries) with the words tools use for
 * what people say otherwise.
 */

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
export function tokenize(text: string): string[] {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/);
}

/**
 * Stems by lower-case word. Thousands of tools share a few thousand words, and
 * the Porter stemmer's rules cost more than the rest of indexing a word, so
 * each word is stemmed once; the map is emptied if it ever grows past its cap.
 */
const stems = new Map<string, string>();
const MAX_STEMS = 50_000;

/** A word reduced to its stem ("listing", "lists" → "list"), or null for a word to leave out. */
export function stem(word: string): string | null {
  const lower = word.toLowerCase();
  if (lower.length === 0 || STOP_WORDS.has(lower)) return null;
  let stemmed = stems.get(lower);
  if (stemmed === undefined) {
    if (stems.size >= MAX_STEMS) stems.clear();
    stemmed = stemmer(lower);
    stems.set(lower, stemmed);
  }
  return stemmed;
}

/** A query's word as the terms it searches for: its stem and the stem's synonyms. */
export function queryTerms(word: string): string[] {
  const stemmed = stem(word);
  return stemmed === null ? [] : [stemmed, ...(SYNONYMS[stemmed] ?? [])];
}

/** The distinct terms of some texts, as they are indexed. */
export function distinctTerms(texts: readonly string[]): Set<string> {
  const terms = new Set<string>();
  for (const text of texts) {
    for (const word of tokenize(text)) {
      const stemmed = stem(word);
      if (stemmed !== null) terms.add(stemmed);
    }
  }
  return terms;
}
