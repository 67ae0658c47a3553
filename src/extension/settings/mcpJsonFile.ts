import { createScanner, findNodeAtLocation, getNodeValue, type Node, parseTree, type SyntaxKind } from 'jsonc-parser';
import * as vscode from 'vscode';
import type { ProxyEntry } from '../../core/registry/registry';
import { parseRegistryDocument } from '../../core/registry/registryFormats';
import { sameServer } from './sameServer';

/**
 * VS Code's own `mcp.json`, as Import Servers reads and edits it: the keys of
 * its `"servers"` that run the same servers as given entries, and their removal
 * with the rest of the file (comments, `"inputs"`, formatting) left as it was.
 */

/** The scanner's token kinds used here (jsonc-parser declares them as a const enum, which isolated modules cannot read). */
const Token = { comma: 5, lineComment: 12, blockComment: 13, lineBreak: 14, space: 15 } as const satisfies Record<string, SyntaxKind>;

/** A server of an mcp.json text: its key there and the proxy entry it imports as. */
interface McpJsonServer {
  readonly key: string;
  readonly entry: ProxyEntry;
}

/** The `"servers"` object of an mcp.json text, when there is one. */
function serversNode(text: string): Node | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const servers = root && findNodeAtLocation(root, ['servers']);
  return servers?.type === 'object' ? servers : undefined;
}

/** The key of a property node of the parse tree. */
function keyOf(property: Node): string | undefined {
  const key: unknown = property.children?.[0]?.value;
  return typeof key === 'string' ? key : undefined;
}

/** The servers of an mcp.json text that import as valid entries, in file order. */
function serversOf(text: string): McpJsonServer[] {
  const found: McpJsonServer[] = [];
  for (const property of serversNode(text)?.children ?? []) {
    const key = keyOf(property);
    const value = property.children?.[1];
    if (key === undefined || !value) continue;
    try {
      // Read one server alone, the way the import read it, so the entry compares like for like.
      const single = parseRegistryDocument(JSON.stringify({ servers: { [key]: getNodeValue(value) as unknown } }), 'mcp.json');
      const entry = Object.values(single.registry)[0];
      if (entry) found.push({ key, entry });
    } catch {
      // A server the import could not read was not imported: nothing to remove.
    }
  }
  return found;
}

/** The keys of `text`'s servers that run the same server as one of `entries`. */
export function mcpJsonKeysRunning(text: string, entries: readonly ProxyEntry[]): string[] {
  return serversOf(text)
    .filter(({ entry }) => entries.some((candidate) => sameServer(entry, candidate) !== undefined))
    .map(({ key }) => key);
}

/**
 * The text with the servers `keys` taken out of `"servers"`, and nothing else
 * changed: a server's own lines go with it (its comma, and a comment after it
 * on its last line), the lines around it stay as they were.
 */
export function withoutServers(text: string, keys: readonly string[]): string {
  let result = text;
  for (const key of keys) {
    const properties = serversNode(result)?.children ?? [];
    const index = properties.findIndex((property) => keyOf(property) === key);
    const property = properties[index];
    if (!property) continue;
    const spans = [propertySpan(result, property)];
    // The last server leaves no comma of its own; the one before it must not keep one either (unless it was a trailing comma already).
    const previous = properties[index - 1];
    if (!spans[0]?.hadComma && previous) {
      const comma = commaAfter(result, previous.offset + previous.length);
      if (comma !== undefined) spans.push({ start: comma, end: comma + 1, hadComma: true });
    }
    for (const { start, end } of spans.sort((a, b) => b.start - a.start)) result = result.slice(0, start) + result.slice(end);
  }
  return result;
}

interface Span {
  readonly start: number;
  readonly end: number;
  /** Whether a comma after the property is part of the span. */
  readonly hadComma: boolean;
}

/** Where a property starts and ends, with its comma and same-line comment; its whole lines when it has them to itself. */
function propertySpan(text: string, property: Node): Span {
  let start = property.offset;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  const ownLines = start === 0 || text[start - 1] === '\n';
  if (!ownLines) start = property.offset;

  const scanner = createScanner(text, false);
  scanner.setPosition(property.offset + property.length);
  let end = property.offset + property.length;
  let hadComma = false;
  for (;;) {
    const token = scanner.scan();
    const tokenEnd = scanner.getTokenOffset() + scanner.getTokenLength();
    if (token === Token.space) continue;
    if ((token === Token.comma && !hadComma) || token === Token.lineComment || token === Token.blockComment) {
      hadComma ||= token === Token.comma;
      end = tokenEnd;
      continue;
    }
    // The line ends: with its own lines, the line break goes too. Something else on the line: the spaces before it go.
    if (token === Token.lineBreak) end = ownLines ? tokenEnd : end;
    else if (hadComma) end = scanner.getTokenOffset();
    break;
  }
  return { start, end, hadComma };
}

/** The offset of the first comma after `offset`, past spaces and comments only. */
function commaAfter(text: string, offset: number): number | undefined {
  const scanner = createScanner(text, false);
  scanner.setPosition(offset);
  for (;;) {
    const token = scanner.scan();
    if (token === Token.comma) return scanner.getTokenOffset();
    if (token !== Token.space && token !== Token.lineBreak && token !== Token.lineComment && token !== Token.blockComment) {
      return undefined;
    }
  }
}

/**
 * Removes the servers `keys` from the mcp.json at `uri` through a workspace
 * edit (so an open editor keeps its place and Undo works), and saves it
 * unless it already had unsaved changes of the user's.
 */
export async function removeMcpJsonServers(uri: vscode.Uri, keys: readonly string[]): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const hadUnsavedChanges = document.isDirty;
  const before = document.getText();
  const after = withoutServers(before, keys);
  if (after === before) return;
  // Only the span that changed is replaced: the lines around it keep their folding, markers and cursor.
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(document.positionAt(start), document.positionAt(before.length - end)), after.slice(start, after.length - end));
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code did not apply the change to ${uri.fsPath}; edit it by hand.`);
  if (!hadUnsavedChanges && !(await document.save())) throw new Error(`${uri.fsPath} was changed but not saved; save it.`);
}
