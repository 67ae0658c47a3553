import { z } from 'zod';
import { TRANSPORTS } from './registry/registry';

/** The life of a backend connection, as users see it in the tree, list_proxies and the log. */
export const PROXY_STATES = ['connecting', 'connected', 'needs-sign-in', 'error', 'disabled', 'stopped'] as const;
export type ProxyState = (typeof PROXY_STATES)[number];

const capabilityItemSchema = z.object({
  /** The name on the front (what clients call). */
  frontName: z.string(),
  /** The backend's own name. */
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
});

/** A backend tool as the tree shows it, with whether the filters hide it and whether it is pinned. */
const toolStatusSchema = capabilityItemSchema.extend({ excluded: z.boolean(), pinned: z.boolean().optional() });

const resourceStatusSchema = z.object({ uri: z.string(), name: z.string(), title: z.string().optional() });

/** Everything the UI and list_proxies show about one proxy. Plain data: it crosses IPC. */
export const proxyStatusSchema = z.object({
  name: z.string(),
  state: z.enum(PROXY_STATES),
  transport: z.enum(TRANSPORTS),
  target: z.string(),
  scope: z.enum(['user', 'workspace', 'file']),
  /** The prefix actually used on the front; differs from the configured one when it clashed. */
  prefix: z.string(),
  /** Set when the configured prefix clashed with another proxy's and a numbered one was used. */
  prefixNote: z.string().optional(),
  /** What in the entry could not be applied as written (an override whose name clashes…), one sentence each. */
  problems: z.array(z.string()).optional(),
  toolCount: z.number().int(),
  tools: z.array(toolStatusSchema),
  resources: z.array(resourceStatusSchema),
  prompts: z.array(capabilityItemSchema),
  error: z.string().optional(),
  /** Set while a sign-in waits for the browser to come back. */
  signingIn: z.boolean().optional(),
  /** ISO time of the last state change. */
  since: z.string(),
});

export type ProxyStatus = z.infer<typeof proxyStatusSchema>;
