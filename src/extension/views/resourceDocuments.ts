import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import * as vscode from 'vscode';

/** The scheme of the read-only documents that show a resource's contents. */
export const RESOURCE_SCHEME = 'mcp-switchboard-resource';

/** Where the switchboard listens and how to authenticate, resolved when a resource is read (the server may restart). */
export type SwitchboardEndpoint = () => Promise<{ readonly url: string; readonly token: string }>;

/** A resource as the tree lists it. */
export interface ResourceReference {
  readonly proxy: string;
  readonly uri: string;
  readonly name: string;
  readonly title?: string | undefined;
}

/**
 * The document that shows a resource: its tab is titled with the resource's
 * name, and the resource's URI travels in the query.
 */
export function resourceDocumentUri(resource: ResourceReference): vscode.Uri {
  const label = (resource.title ?? resource.name).replace(/[\\/]/g, '-') || 'resource';
  return vscode.Uri.from({ scheme: RESOURCE_SCHEME, path: `/${resource.proxy}/${label}`, query: resource.uri });
}

/**
 * Provides the contents of resource documents by reading the resource through
 * the switchboard's own MCP endpoint, as any client would: what the tree
 * opens is what clients get. Documents of a content provider are read-only.
 */
export class ResourceDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** The MIME type each open document's resource reported, to pick the editor's language. */
  private readonly mimeTypes = new Map<string, string>();
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly endpoint: SwitchboardEndpoint,
    private readonly version: string,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RESOURCE_SCHEME, this);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const result = await this.read(uri.query);
    const first = result.contents[0];
    if (first?.mimeType !== undefined) this.mimeTypes.set(uri.toString(), first.mimeType);
    return textOf(result);
  }

  /** The MIME type of a document's resource, once it was read. */
  mimeTypeOf(uri: vscode.Uri): string | undefined {
    return this.mimeTypes.get(uri.toString());
  }

  /** Reads the resource again; an open document shows the new contents. */
  reload(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }

  private async read(resourceUri: string): Promise<ReadResourceResult> {
    const { url, token } = await this.endpoint();
    const client = new Client({ name: 'mcp-switchboard-vscode', version: this.version });
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    await client.connect(transport);
    try {
      return await client.readResource({ uri: resourceUri });
    } finally {
      await client.close();
    }
  }
}

/** The language VS Code should show a resource in, from its MIME type. */
export function languageOfMimeType(mimeType: string | undefined): string | undefined {
  const type = mimeType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === undefined) return undefined;
  const known: Record<string, string> = {
    'application/json': 'json',
    'text/markdown': 'markdown',
    'text/html': 'html',
    'text/css': 'css',
    'text/javascript': 'javascript',
    'application/javascript': 'javascript',
    'application/xml': 'xml',
    'text/xml': 'xml',
    'application/yaml': 'yaml',
    'text/yaml': 'yaml',
    'text/x-python': 'python',
    'text/plain': 'plaintext',
  };
  return known[type] ?? (type.endsWith('+json') ? 'json' : type.endsWith('+xml') ? 'xml' : undefined);
}

/** A resource's contents as text: text parts as they are, textual blobs decoded, other blobs described. */
function textOf(result: ReadResourceResult): string {
  if (result.contents.length === 0) return '(The resource has no contents.)';
  const parts = result.contents.map((content) => {
    if ('text' in content && typeof content.text === 'string') return content.text;
    const blob = 'blob' in content && typeof content.blob === 'string' ? Buffer.from(content.blob, 'base64') : Buffer.alloc(0);
    if (isTextual(content.mimeType)) return blob.toString('utf8');
    return `(${blob.length.toLocaleString('en-US')} bytes of ${content.mimeType ?? 'binary data'}, which is not text: it cannot be shown here.)`;
  });
  // Several parts (rare) are shown one after the other, each under its URI.
  if (parts.length === 1) return parts[0] ?? '';
  return result.contents.map((content, index) => `── ${content.uri} ──\n${parts[index] ?? ''}`).join('\n\n');
}

function isTextual(mimeType: string | undefined): boolean {
  if (mimeType === undefined) return false;
  return /^text\//i.test(mimeType) || languageOfMimeType(mimeType) !== undefined;
}
