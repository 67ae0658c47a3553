/** Include/exclude globs on a proxy's own tool names: `*` any run of characters, `?` one character. */
export interface ToolFilter {
  readonly include?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
}

/** Compiles a filter once into a predicate, so listing tools does no per-name regex building. */
export function compileToolFilter(filter: ToolFilter | undefined): (toolName: string) => boolean {
  const include = filter?.include?.length ? globsToRegExp(filter.include) : undefined;
  const exclude = filter?.exclude?.length ? globsToRegExp(filter.exclude) : undefined;
  return (toolName) => (include === undefined || include.test(toolName)) && (exclude === undefined || !exclude.test(toolName));
}

/** Whether a name matches any of the globs (none: nothing matches). */
export function compileGlobs(globs: readonly string[] | undefined): (name: string) => boolean {
  if (!globs?.length) return () => false;
  const pattern = globsToRegExp(globs);
  return (name) => pattern.test(name);
}

function globsToRegExp(globs: readonly string[]): RegExp {
  const alternatives = globs.map((glob) =>
    glob
      .split('')
      .map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join(''),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}
