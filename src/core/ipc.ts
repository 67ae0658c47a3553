import { z } from 'zod';
import { profilesSchema, proxyEntrySchema, proxyNameSchema } from './registry';
import { TOOL_SURFACES } from './surfaceModes';
import { proxyStatusSchema } from './status';

/**
 * The contract between the extension host and the server process it forks
 * (Node IPC). Both ends parse every message with these schemas.
 */

const proxyMountSchema = z.object({
  entry: proxyEntrySchema,
  scope: z.enum(['user', 'workspace', 'file']),
  blockedReason: z.string().optional(),
});

const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

/** Extension → server. */
export const toServerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('registry'),
    proxies: z.record(proxyNameSchema, proxyMountSchema),
    /** Values for `${secret:KEY}`, read from SecretStorage; never written anywhere. */
    secrets: z.record(z.string(), z.string()),
    workspaceFolder: z.string().optional(),
    /** How tools are shown (mcpSwitchboard.toolSurface and its threshold) and the profiles; defaults: all tools, no profiles. */
    surface: z
      .object({ mode: z.enum(TOOL_SURFACES), threshold: z.number().int().min(0), profiles: profilesSchema })
      .optional(),
  }),
  z.object({ type: z.literal('changeResult'), id: z.number().int(), ok: z.boolean(), error: z.string().optional() }),
  z.object({ type: z.literal('restartProxy'), name: proxyNameSchema }),
]);
export type ToServerMessage = z.infer<typeof toServerMessageSchema>;

/** Server → extension. */
export const toExtensionMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string() }),
  z.object({ type: z.literal('state'), proxies: z.array(proxyStatusSchema) }),
  z.object({ type: z.literal('log'), level: logLevelSchema, proxy: z.string().optional(), line: z.string() }),
  z.object({
    type: z.literal('requestChange'),
    id: z.number().int(),
    op: z.enum(['add', 'remove']),
    name: proxyNameSchema,
    entry: proxyEntrySchema.optional(),
    scope: z.enum(['user', 'workspace']).optional(),
  }),
]);
export type ToExtensionMessage = z.infer<typeof toExtensionMessageSchema>;

/** Environment variable through which the extension hands the child its bearer token (never argv: `ps` shows argv). */
export const TOKEN_ENV = 'MCP_SWITCHBOARD_TOKEN';
/** Environment variable with the port a restarted child should listen on again (its predecessor's), so clients keep their URL. */
export const PORT_ENV = 'MCP_SWITCHBOARD_PORT';
