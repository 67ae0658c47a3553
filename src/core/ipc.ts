import { z } from 'zod';
import { profilesSchema, proxyEntrySchema, proxyNameSchema } from './registry/registry';
import { TOOL_SURFACES } from './surface/surfaceModes';
import { storedCredentialsSchema } from './oauth/credentials';
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
  /** The user's Sign In / Sign Out; answered with `signInResult`. */
  z.object({ type: z.enum(['signIn', 'signOut']), id: z.number().int(), name: proxyNameSchema }),
  z.object({ type: z.literal('cancelSignIn'), name: proxyNameSchema }),
  /** The answer to a `hostRequest`: `value` for readCredentials and redirectUrl. */
  z.object({ type: z.literal('hostResult'), id: z.number().int(), ok: z.boolean(), value: z.unknown().optional(), error: z.string().optional() }),
]);
export type ToServerMessage = z.infer<typeof toServerMessageSchema>;

const credentialKeySchema = z.object({ proxy: proxyNameSchema, serverUrl: z.string() });

/**
 * What a sign-in running in the server needs from the extension: credentials
 * kept in SecretStorage, the redirect URL as the browser will see it
 * (asExternalUri), and the browser itself (openExternal).
 */
export const hostRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('readCredentials'), key: credentialKeySchema }),
  z.object({ op: z.literal('writeCredentials'), key: credentialKeySchema, credentials: storedCredentialsSchema }),
  z.object({ op: z.literal('forgetCredentials'), proxy: proxyNameSchema, serverUrl: z.string().optional() }),
  z.object({ op: z.literal('redirectUrl'), loopbackUrl: z.url() }),
  z.object({ op: z.literal('openBrowser'), proxy: proxyNameSchema, url: z.url({ protocol: /^https?$/ }) }),
]);
export type HostRequest = z.infer<typeof hostRequestSchema>;

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
  z.object({ type: z.literal('signInResult'), id: z.number().int(), ok: z.boolean(), error: z.string().optional() }),
  z.object({ type: z.literal('hostRequest'), id: z.number().int(), request: hostRequestSchema }),
]);
export type ToExtensionMessage = z.infer<typeof toExtensionMessageSchema>;

/** Environment variable through which the extension hands the child its bearer token (never argv: `ps` shows argv). */
export const TOKEN_ENV = 'MCP_SWITCHBOARD_TOKEN';
/** Environment variable with the port a restarted child should listen on again (its predecessor's), so clients keep their URL. */
export const PORT_ENV = 'MCP_SWITCHBOARD_PORT';
