import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { lookup as dnsLookup } from 'node:dns/promises';
import { z } from 'zod';
import { jsonSchemaOf, toolError } from './toolResults';
import { agentEntryProblem, type HostLookup, resolvedHostProblem } from '../registry/agentPolicy';
import { describeTarget, formatIssues, type ProxyEntry, parseProxyEntry, proxyNameSchema } from '../registry/registry';
import type { ProxyStatus } from '../status';
import type { Switchboard } from '../switchboard';

/**
 * Changes the registry on behalf of the agent. Each host decides policy: the CLI
 * writes its file (refusing commands unless allowed), the extension asks the user.
 * Methods throw an Error whose message is shown to the agent when a change is refused.
 */
export interface RegistryEditor {
  add(name: string, entry: ProxyEntry, scope: 'user' | 'workspace' | undefined): Promise<void>;
  remove(name: string): Promise<void>;
}

/** How long add_proxy waits for the new proxy to connect before answering. */
const ADD_WAIT_MS = 15_000;

const addProxyArguments = z.strictObject({
  name: proxyNameSchema.describe('Name of the proxy: 1–32 letters, digits, "_" or "-". Its tools appear as <name>_<tool>.'),
  url: z.string().optional().describe('URL of an MCP server (Streamable HTTP, or SSE for URLs ending in /sse).'),
  command: z.string().optional().describe('Program that runs an MCP server over stdio, e.g. "npx".'),
  args: z.array(z.string()).optional().describe('Arguments for the command.'),
  env: z.record(z.string(), z.string()).optional().describe('Environment variables for the command.'),
  scope: z.enum(['user', 'workspace']).optional().describe('VS Code settings to save it in (default: workspace if a folder is open).'),
});

const removeProxyArguments = z.strictObject({
  name: proxyNameSchema.describe('Name of the proxy to remove.'),
});

const proxySummarySchema = z.object({
  name: z.string(),
  state: z.string(),
  transport: z.string(),
  target: z.string(),
  scope: z.string(),
  prefix: z.string(),
  toolCount: z.number(),
  error: z.string().optional(),
  problems: z.array(z.string()).optional(),
  since: z.string(),
});
const listProxiesOutput = z.object({ proxies: z.array(proxySummarySchema) });
/**
 * What add_proxy answers. The sentence is in the structured content too:
 * clients that show structured content instead of text (VS Code does) still
 * give the model the sentence.
 */
const addProxyOutput = z.object({ message: z.string(), name: z.string(), state: z.string(), tools: z.array(z.string()) });

/** Tool definitions, built once: JSON Schemas come from the same zod schemas that parse the arguments. */
export const MANAGEMENT_TOOLS: readonly Tool[] = [
  {
    name: 'add_proxy',
    title: 'Add an MCP server',
    description:
      'Mounts and saves another MCP server, by URL or command; its tools appear as <name>_<tool> at once. No ${…} variables here: the user writes those in settings.',
    inputSchema: jsonSchemaOf(addProxyArguments),
    outputSchema: jsonSchemaOf(addProxyOutput),
    annotations: { destructiveHint: false, openWorldHint: true },
  },
  {
    name: 'list_proxies',
    title: 'List mounted MCP servers',
    description: 'Lists the MCP servers mounted behind the switchboard with their state, transport, target, tool count and last error.',
    inputSchema: { type: 'object', properties: {} },
    outputSchema: jsonSchemaOf(listProxiesOutput),
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: 'remove_proxy',
    title: 'Remove an MCP server',
    description: 'Unmounts an MCP server from the switchboard and deletes it from the saved registry.',
    inputSchema: jsonSchemaOf(removeProxyArguments),
    annotations: { destructiveHint: true, openWorldHint: false },
  },
];

/** Runs a management tool, or returns undefined when `name` is not one. Refusals come back as tool errors the agent can read. */
export async function callManagementTool(
  name: string,
  args: unknown,
  switchboard: Switchboard,
  editor: RegistryEditor,
  lookup: HostLookup = systemLookup,
): Promise<CallToolResult | undefined> {
  switch (name) {
    case 'list_proxies':
      return listProxies(switchboard.statuses());
    case 'add_proxy':
      return await addProxy(args, switchboard, editor, lookup);
    case 'remove_proxy':
      return await removeProxy(args, switchboard, editor);
    default:
      return undefined;
  }
}

function listProxies(statuses: readonly ProxyStatus[]): CallToolResult {
  const proxies = statuses.map((status) => ({
    name: status.name,
    state: status.state,
    transport: status.transport,
    target: status.target,
    scope: status.scope,
    prefix: status.prefix,
    toolCount: status.toolCount,
    ...(status.error !== undefined && { error: status.error }),
    ...(status.problems !== undefined && { problems: status.problems }),
    since: status.since,
  }));
  const lines = proxies.map(
    (proxy) =>
      `- ${proxy.name}: ${proxy.state}, ${proxy.transport} ${proxy.target}, ${proxy.toolCount} tools, ${proxy.scope}` +
      (proxy.error === undefined ? '' : ` — ${proxy.error}`) +
      (proxy.problems === undefined ? '' : ` (${proxy.problems.join(' ')})`),
  );
  const text = proxies.length === 0 ? 'No proxies are mounted. Use add_proxy to mount an MCP server.' : lines.join('\n');
  return { content: [{ type: 'text', text }], structuredContent: { proxies } };
}

async function addProxy(args: unknown, switchboard: Switchboard, editor: RegistryEditor, lookup: HostLookup): Promise<CallToolResult> {
  const parsed = addProxyArguments.safeParse(args ?? {});
  if (!parsed.success) return toolError(`add_proxy was not done: ${formatIssues(parsed.error)}`);
  const { name, scope, ...fields } = parsed.data;
  let entry: ProxyEntry;
  try {
    entry = parseProxyEntry(name, fields);
  } catch (error) {
    return toolError(`add_proxy was not done: ${errorMessage(error)}`);
  }
  // Refused before anything is saved, asked or connected: the entry comes from the agent.
  const refusal = agentEntryProblem(entry) ?? (entry.url === undefined ? undefined : await resolvedHostProblem(entry.url, lookup));
  if (refusal) return toolError(`add_proxy was not done: ${refusal}`);
  switchboard.noteAddedByAgent(name);
  try {
    await editor.add(name, entry, scope);
  } catch (error) {
    return toolError(`Proxy "${name}" was not added: ${errorMessage(error)}`);
  }
  await switchboard.whenSettled(name, ADD_WAIT_MS);
  const status = switchboard.statuses().find((candidate) => candidate.name === name);
  const state = status?.state ?? 'stopped';
  const tools = state === 'connected' ? (status?.tools ?? []).filter((tool) => !tool.excluded).map((tool) => tool.frontName) : [];
  const message = !status
    ? `Proxy "${name}" was saved (${describeTarget(entry)}) but is not mounted.`
    : state === 'connected'
      ? `Proxy "${name}" is mounted with ${tools.length} tools: ${tools.join(', ') || '(none)'}.`
      : state === 'needs-sign-in'
        ? `Proxy "${name}" was saved; its server needs the user to sign in. ${status.error ?? ''}`.trim()
        : `Proxy "${name}" was saved but is ${state}${status.error ? `: ${status.error}` : ''}. It keeps retrying; list_proxies shows its state.`;
  return { content: [{ type: 'text', text: message }], structuredContent: { message, name, state, tools } };
}

async function removeProxy(args: unknown, switchboard: Switchboard, editor: RegistryEditor): Promise<CallToolResult> {
  const parsed = removeProxyArguments.safeParse(args ?? {});
  if (!parsed.success) return toolError(`remove_proxy was not done: ${formatIssues(parsed.error)}`);
  const { name } = parsed.data;
  if (!switchboard.backend(name)) {
    const known = switchboard.statuses().map((status) => status.name);
    return toolError(`There is no proxy "${name}". Mounted: ${known.join(', ') || '(none)'}.`);
  }
  try {
    await editor.remove(name);
  } catch (error) {
    return toolError(`Proxy "${name}" was not removed: ${errorMessage(error)}`);
  }
  return { content: [{ type: 'text', text: `Proxy "${name}" was removed.` }] };
}

async function systemLookup(host: string): Promise<readonly string[]> {
  return (await dnsLookup(host, { all: true, verbatim: true })).map((found) => found.address);
}


function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
