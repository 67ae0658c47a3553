import * as vscode from 'vscode';
import type { SwitchboardContext } from '../context';
import { messageOf, showError } from '../errors';
import { BACK } from '../views/quickInputs';
import { languageOfMimeType, type ResourceReference, resourceDocumentUri } from '../views/resourceDocuments';

/** The resource in what the command received: a resource node of the Proxies view (a click on its row), else none. */
export function resourceArgumentOf(value: unknown): ResourceReference | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!('kind' in value) || value.kind !== 'resource' || !('proxy' in value) || typeof value.proxy !== 'string') return undefined;
  if (!('resource' in value) || typeof value.resource !== 'object' || value.resource === null) return undefined;
  const { resource } = value;
  if (!('uri' in resource) || typeof resource.uri !== 'string' || !('name' in resource) || typeof resource.name !== 'string') return undefined;
  const title = 'title' in resource && typeof resource.title === 'string' ? resource.title : undefined;
  return { proxy: value.proxy, uri: resource.uri, name: resource.name, title };
}

/**
 * Open Resource: reads a resource through the switchboard, as clients do, and
 * shows its contents in a read-only editor. From the palette, the user picks
 * one of the resources the proxies list.
 */
export async function openResource(context: SwitchboardContext, given: ResourceReference | undefined): Promise<void> {
  const resource = given ?? (await pickResource(context));
  if (!resource) return;
  const uri = resourceDocumentUri(resource);
  // An open document keeps its first contents: read it again, as a click asks for what the resource says now.
  if (vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString())) context.resourceDocuments.reload(uri);
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(uri);
  } catch (error) {
    await showError(
      `The resource ${resource.uri} could not be read through the switchboard: ${messageOf(error)}`,
      { title: 'Retry', run: () => openResource(context, resource) },
      { title: 'Show Logs', run: () => context.log.show() },
    );
    return;
  }
  const language = languageOfMimeType(context.resourceDocuments.mimeTypeOf(uri));
  if (language !== undefined && document.languageId !== language) document = await vscode.languages.setTextDocumentLanguage(document, language);
  await vscode.window.showTextDocument(document, { preview: true });
}

async function pickResource(context: SwitchboardContext): Promise<ResourceReference | undefined> {
  const resources = context.model
    .rows()
    .flatMap((row) => (row.state === 'connected' ? (row.status?.resources ?? []).map((resource) => ({ proxy: row.name, ...resource })) : []));
  if (resources.length === 0) {
    void vscode.window.showInformationMessage('No connected proxy lists a resource.');
    return undefined;
  }
  const picked = await context.quickInputs.pick({
    title: 'Open Resource',
    placeholder: 'Which resource to read through the switchboard',
    items: resources.map((resource) => ({ label: resource.title ?? resource.name, description: resource.proxy, detail: resource.uri, resource })),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked === undefined || picked === BACK ? undefined : picked.resource;
}
