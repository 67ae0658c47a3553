import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What the switchboard keeps after signing a proxy in: the client it
 * registered, the tokens it holds and what it discovered, as the SDK handed
 * them over (the SDK stamps each with the issuer it came from, so a server
 * that moves to another authorization server is signed in again, not sent
 * old tokens). Kept only in a credential store, never in settings or the
 * registry file.
 */
export const storedCredentialsSchema = z.object({
  /** The proxy's server URL these belong to: a changed URL is a different server. */
  serverUrl: z.string(),
  /** The redirect URL the client was registered with: a dynamically registered client is bound to it. */
  redirectUrl: z.string().optional(),
  /** The loopback port its callback listened on then (the redirect URL may be a forwarded one, in a remote window). */
  callbackPort: z.number().int().optional(),
  /** For a pre-registered client: the authorization server it was first used with; its secret goes to no other. */
  boundIssuer: z.string().optional(),
  /** OAuthClientInformationFull, as registered (dynamically or from a metadata document). */
  client: z.record(z.string(), z.unknown()).optional(),
  /** OAuthTokens, with `obtainedAt` (ms since the epoch) added so expiry can be computed later. */
  tokens: z.looseObject({ access_token: z.string(), obtainedAt: z.number().optional(), expires_in: z.number().optional() }).optional(),
  /** OAuthDiscoveryState, so a later sign-in or refresh need not discover again. */
  discovery: z.record(z.string(), z.unknown()).optional(),
});
export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;

/**
 * Where credentials live: a user-only folder for the CLI, SecretStorage in
 * VS Code (over IPC). Keyed per proxy, so two proxies for the same server with
 * two accounts stay apart.
 */
export interface CredentialStore {
  read(key: CredentialKey): Promise<StoredCredentials | undefined>;
  write(key: CredentialKey, credentials: StoredCredentials): Promise<void>;
  /** Deletes what is kept for the proxy and that server URL, or for every URL of the proxy when none is given. */
  forget(proxy: string, serverUrl?: string): Promise<void>;
}

/** Which credentials: the proxy's name and its server URL (the issuer is inside, see above). */
export interface CredentialKey {
  readonly proxy: string;
  readonly serverUrl: string;
}

/** A stable, file-name-safe id of a key: the proxy name (already safe) and a hash of the URL. */
export function credentialId(key: CredentialKey): string {
  const urlHash = createHash('sha256').update(key.serverUrl).digest('hex').slice(0, 16);
  return `${key.proxy}.${urlHash}`;
}

/** Reads stored credentials leniently: what does not parse counts as none (the user signs in again), never as an error. */
export function parseStoredCredentials(value: unknown, key: CredentialKey): StoredCredentials | undefined {
  const parsed = storedCredentialsSchema.safeParse(value);
  return parsed.success && parsed.data.serverUrl === key.serverUrl ? parsed.data : undefined;
}
