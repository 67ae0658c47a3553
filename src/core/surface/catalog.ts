import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { ClientCapabilities, Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../backends/backend';
import { APPS_EXTENSION, isAppOnly } from '../front/mcpApps';
import { frontName, prefixCandidates, uniqueWithin } from './naming';
import type { ToolOverride } from '../registry/registry';
import type { ProxyView, ViewedBackend } from './proxyView';

/** Where a front name leads: the backend and the name it knows the thing by. */
export interface Route {
  readonly backend: Backend;
  readonly name: string;
}

interface TemplateRoute {
  readonly template: UriTemplate;
  readonly uriTemplate: string;
  readonly backend: Backend;
}

/** One proxied tool on the front: the backend's tool, the override applied to it, and the tool as the front shows it. */
export interface FrontTool {
  readonly source: Tool;
  readonly override: ToolOverride | undefined;
  readonly tool: Tool;
}

/** The prefix a proxy got on the front, and why it differs from the configured one. */
export interface PrefixAssignment {
  readonly prefix: string;
  readonly note?: string;
}

/**
 * What a client can use, from the capabilities it declared: a task-required
 * tool needs a client that declared `tasks`; an App-only tool (`_meta.ui.visibility`
 * without "model") needs a host that renders MCP Apps (the
 * `io.modelcontextprotocol/ui` extension), which keeps it from the model itself.
 * A tool a client cannot call is not listed to it.
 */
export interface ClientToolView {
  readonly tasks: boolean;
  readonly apps: boolean;
}

/** What a client can call, from the capabilities it declared at initialize. */
export function clientToolView(capabilities: ClientCapabilities | undefined): ClientToolView {
  return { tasks: capabilities?.tasks !== undefined, apps: capabilities?.extensions?.[APPS_EXTENSION] !== undefined };
}

/** Most numbered prefixes tried before a proxy is left out: only reachable with absurd registries. */
const MAX_PREFIX_TRIES = 1_000;

/**
 * The front's view of all connected backends: renamed tools and prompts, the
 * resources and templates with their original URIs, and the routes back.
 * Built once per change and read by every request, so requests do no naming work.
 */
export class Catalog {
  readonly tools: Tool[] = [];
  readonly prompts: Prompt[] = [];
  readonly resources: Resource[] = [];
  readonly templates: ResourceTemplate[] = [];
  readonly toolRoutes = new Map<string, Route>();
  /** Shown tools by the name their backend gives them, for calls by that name (an MCP App's page makes them). */
  readonly toolsByOwnName = new Map<string, Route[]>();
  readonly promptRoutes = new Map<string, Route>();
  readonly prefixes = new Map<string, PrefixAssignment>();
  /** Backends' front names for their tools, by backend name then backend tool name. */
  readonly toolFrontNames = new Map<string, Map<string, string>>();
  readonly promptFrontNames = new Map<string, Map<string, string>>();
  /** Clashes found while building (a URI two proxies list), for the log. */
  readonly warnings: string[] = [];
  /** What could not be applied of each proxy's entry (overrides), by proxy name, for the tree and list_proxies. */
  readonly problems = new Map<string, string[]>();
  /** Front names of pinned tools: listed in search mode too. */
  readonly pinned = new Set<string>();
  /** Each proxied tool by front name, with what it was made from. */
  readonly toolSources = new Map<string, FrontTool>();
  /**
   * Each proxy's shown tools, by proxy name. A proxy whose tools are as they
   * were keeps the previous catalog's array itself, so the search index
   * tells the proxies that changed by identity and reads only those.
   */
  readonly toolSections = new Map<string, readonly FrontTool[]>();

  private readonly resourceRoutes = new Map<string, Backend>();
  /** The tools/list answer for each client view, as UTF-8 JSON. */
  private readonly toolsJson = new Map<string, Buffer>();
  private readonly templateRoutes: TemplateRoute[] = [];

  /**
   * Builds the catalog from backends in registry order (earlier ones keep their
   * names on a clash), after the switchboard's own tools. The previous catalog
   * lends the tools of proxies that did not change; it is not kept.
   */
  constructor(proxies: readonly ViewedBackend[], ownTools: readonly Tool[], reservedNames: readonly string[] = [], previous?: Catalog) {
    this.tools.push(...ownTools);
    const takenTools = new Set([...ownTools.map((tool) => tool.name), ...reservedNames]);
    const takenPrompts = new Set<string>();
    for (const { backend, view } of proxies) {
      this.addNamed(backend, view, takenTools, takenPrompts, previous?.toolSections.get(backend.name));
      this.addResources(backend);
    }
  }

  /** The tools a client with this view can call. */
  toolsFor(view: ClientToolView): Tool[] {
    if (view.tasks && view.apps) return this.tools;
    return this.tools.filter(callableWith(view));
  }

  /**
   * A tools/list result as UTF-8 JSON, made once per catalog and view (`key`
   * names the view; `tools` makes its list): thousands of tools are not
   * serialized, nor their text encoded, per request.
   */
  cachedToolsJson(key: string, tools: () => readonly Tool[]): Buffer {
    let json = this.toolsJson.get(key);
    if (!json) {
      json = Buffer.from(JSON.stringify({ tools: tools() }));
      this.toolsJson.set(key, json);
    }
    return json;
  }

  /** The backend that serves a resource URI: the one that listed it, else one whose template matches. */
  resourceBackend(uri: string): Backend | undefined {
    const listed = this.resourceRoutes.get(uri);
    if (listed) return listed;
    for (const route of this.templateRoutes) {
      if (route.template.match(uri) !== null) return route.backend;
    }
    return undefined;
  }

  /** The backend that owns a template (for completions), by its URI template text or a URI it matches. */
  templateBackend(uriOrTemplate: string): Backend | undefined {
    return this.templateRoutes.find((route) => route.uriTemplate === uriOrTemplate)?.backend ?? this.resourceBackend(uriOrTemplate);
  }

  private addNamed(backend: Backend, view: ProxyView, takenTools: Set<string>, takenPrompts: Set<string>, previousTools: readonly FrontTool[] | undefined): void {
    const configured = view.mount.entry.prefix ?? backend.name;
    const shownTools = backend.tools.filter((tool) => view.isToolShown(tool.name));
    let tries = 0;
    for (const prefix of prefixCandidates(configured, backend.name)) {
      if (tries++ > MAX_PREFIX_TRIES) {
        this.warnings.push(`Proxy "${backend.name}" could not get a prefix that does not clash; its tools and prompts are not shown.`);
        return;
      }
      const toolNames = frontNames(prefix, shownTools);
      const promptNames = frontNames(prefix, backend.prompts);
      if ([...toolNames.values()].some((name) => takenTools.has(name))) continue;
      if ([...promptNames.values()].some((name) => takenPrompts.has(name))) continue;
      this.prefixes.set(
        backend.name,
        prefix === configured ? { prefix } : { prefix, note: `Prefix "${prefix}" is used because "${configured}" clashed with another proxy's names.` },
      );
      const overrides = view.mount.entry.tools?.overrides ?? {};
      this.applyOverrideNames(backend, shownTools, toolNames, overrides, takenTools);
      this.toolFrontNames.set(backend.name, toolNames);
      this.promptFrontNames.set(backend.name, promptNames);
      const section = frontTools(shownTools, toolNames, overrides, previousTools);
      this.toolSections.set(backend.name, section);
      for (const front of section) {
        const { name } = front.tool;
        const own = front.source.name;
        takenTools.add(name);
        this.tools.push(front.tool);
        this.toolSources.set(name, front);
        if (view.isToolPinned(own)) this.pinned.add(name);
        const route = { backend, name: own };
        this.toolRoutes.set(name, route);
        const sameOwnName = this.toolsByOwnName.get(own);
        if (sameOwnName) sameOwnName.push(route); // Not copied: a hundred proxies with an `echo` made that quadratic.
        else this.toolsByOwnName.set(own, [route]);
      }
      for (const prompt of backend.prompts) {
        const name = promptNames.get(prompt.name) ?? prompt.name;
        takenPrompts.add(name);
        this.prompts.push({ ...prompt, name });
        this.promptRoutes.set(name, { backend, name: prompt.name });
      }
      return;
    }
  }

  /** Gives tools the names their overrides ask for, where those are free; says why where they are not. */
  private applyOverrideNames(
    backend: Backend,
    shownTools: readonly Tool[],
    toolNames: Map<string, string>,
    overrides: Readonly<Record<string, ToolOverride>>,
    takenTools: ReadonlySet<string>,
  ): void {
    const problems: string[] = [];
    const offered = new Set(backend.tools.map((tool) => tool.name));
    for (const [own, override] of Object.entries(overrides)) {
      if (!offered.has(own)) problems.push(`tools.overrides has "${own}", which the proxy does not offer.`);
      if (override.name === undefined || !shownTools.some((tool) => tool.name === own)) continue;
      const usedByOthers = [...toolNames.entries()].some(([other, name]) => other !== own && name === override.name);
      if (takenTools.has(override.name) || usedByOthers) {
        problems.push(`tools.overrides.${own}.name "${override.name}" is taken by another tool; it is listed as "${toolNames.get(own)}".`);
        continue;
      }
      toolNames.set(own, override.name);
    }
    if (problems.length > 0) {
      this.problems.set(backend.name, problems);
      this.warnings.push(...problems.map((problem) => `Proxy "${backend.name}": ${problem}`));
    }
  }

  private addResources(backend: Backend): void {
    const clashes = new Map<Backend, string[]>();
    for (const resource of backend.resources) {
      const owner = this.resourceRoutes.get(resource.uri);
      if (owner) {
        clashes.set(owner, [...(clashes.get(owner) ?? []), resource.uri]);
        continue;
      }
      this.resourceRoutes.set(resource.uri, backend);
      this.resources.push(resource);
    }
    // One line per pair of proxies, however many URIs they share.
    for (const [owner, uris] of clashes) {
      const shown = uris.length > 3 ? `${uris.slice(0, 3).join(', ')} and ${uris.length - 3} more` : uris.join(', ');
      const what = uris.length === 1 ? `Resource ${shown} is` : `${uris.length} resources (${shown}) are`;
      this.warnings.push(`${what} offered by "${owner.name}" and "${backend.name}"; "${owner.name}" serves ${uris.length === 1 ? 'it' : 'them'}.`);
    }
    for (const template of backend.templates) {
      this.templates.push(template);
      try {
        this.templateRoutes.push({ template: new UriTemplate(template.uriTemplate), uriTemplate: template.uriTemplate, backend });
      } catch {
        this.warnings.push(`Proxy "${backend.name}" lists a resource template that does not parse: ${template.uriTemplate}`);
      }
    }
  }
}

/** Front names for a proxy's items under one prefix, unique among themselves. */
function frontNames(prefix: string, items: readonly { name: string }[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const item of items) {
    const name = uniqueWithin(frontName(prefix, item.name), used);
    used.add(name);
    names.set(item.name, name);
  }
  return names;
}

/**
 * A proxy's shown tools as the front shows them. When each is as it was in the
 * previous catalog (the same backend tool, front name and override), that
 * catalog's array is kept: its tools are not copied again, and the search
 * index knows by identity that this proxy did not change.
 */
function frontTools(
  shown: readonly Tool[],
  names: ReadonlyMap<string, string>,
  overrides: Readonly<Record<string, ToolOverride>>,
  previous: readonly FrontTool[] | undefined,
): readonly FrontTool[] {
  const nameOf = (source: Tool) => names.get(source.name) ?? source.name;
  const overrideOf = (source: Tool) => (Object.hasOwn(overrides, source.name) ? overrides[source.name] : undefined);
  const same = (was: FrontTool | undefined, source: Tool) => was?.source === source && was.override === overrideOf(source) && was.tool.name === nameOf(source);
  if (previous?.length === shown.length && shown.every((source, index) => same(previous[index], source))) return previous;
  return shown.map((source) => {
    const name = nameOf(source);
    const override = overrideOf(source);
    return { source, override, tool: override ? overridden(source, name, override) : { ...source, name } };
  });
}

/** Whether a client with this view can call a tool. */
export function callableWith(view: ClientToolView): (tool: Tool) => boolean {
  return (tool) => (view.tasks || !isTaskRequired(tool)) && (view.apps || !isAppOnly(tool));
}

function isTaskRequired(tool: Tool): boolean {
  return (tool.execution as { taskSupport?: unknown } | undefined)?.taskSupport === 'required';
}

/** A tool as its override shows it: another name, title or description, annotations added to its own. */
function overridden(tool: Tool, name: string, override: ToolOverride): Tool {
  return {
    ...tool,
    name,
    ...(override.title !== undefined && { title: override.title }),
    ...(override.description !== undefined && { description: override.description }),
    ...(override.annotations !== undefined && { annotations: { ...tool.annotations, ...override.annotations } }),
  };
}
