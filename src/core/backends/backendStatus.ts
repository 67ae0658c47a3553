import { describeTarget } from '../registry/registry';
import type { ProxyStatus } from '../status';
import type { Catalog } from '../surface/catalog';
import type { ProxyView } from '../surface/proxyView';
import type { Backend } from './backend';

/**
 * What one proxy looks like now to one view, with the names its tools and
 * prompts have on that view's front, and the scope, prefix and filters of
 * that view's entry (a backend that views share is a window's `user` proxy
 * and the user switchboard's `file` one).
 */
export function backendStatus(backend: Backend, catalog: Catalog, { mount, isToolShown, isToolPinned }: ProxyView): ProxyStatus {
  const assignment = catalog.prefixes.get(backend.name);
  const toolNames = catalog.toolFrontNames.get(backend.name);
  const promptNames = catalog.promptFrontNames.get(backend.name);
  const status: ProxyStatus = {
    name: backend.name,
    state: backend.state,
    transport: backend.transport,
    target: describeTarget(backend.mount.entry),
    scope: mount.scope,
    prefix: assignment?.prefix ?? mount.entry.prefix ?? backend.name,
    toolCount: toolNames?.size ?? 0,
    tools: backend.tools.map((tool) => ({
      frontName: toolNames?.get(tool.name) ?? '',
      name: tool.name,
      ...(tool.title !== undefined && { title: tool.title }),
      ...(tool.description !== undefined && { description: tool.description }),
      excluded: !isToolShown(tool.name),
      ...(isToolPinned(tool.name) && { pinned: true }),
    })),
    resources: backend.resources.map((resource) => ({
      uri: resource.uri,
      name: resource.name,
      ...(resource.title !== undefined && { title: resource.title }),
    })),
    prompts: backend.prompts.map((prompt) => ({
      frontName: promptNames?.get(prompt.name) ?? prompt.name,
      name: prompt.name,
      ...(prompt.title !== undefined && { title: prompt.title }),
      ...(prompt.description !== undefined && { description: prompt.description }),
    })),
    since: backend.since.toISOString(),
  };
  if (backend.isSigningIn) status.signingIn = true;
  if (assignment?.note !== undefined) status.prefixNote = assignment.note;
  const problems = catalog.problems.get(backend.name);
  if (problems) status.problems = problems;
  if (backend.error !== undefined) status.error = backend.error;
  return status;
}
