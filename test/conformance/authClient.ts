/**
 * The switchboard as the client of the conformance suite's auth scenarios
 * (`conformance client --command "tsx test/conformance/authClient.ts"`): the
 * suite appends its server's URL. This mounts that URL as a proxy behind the
 * built CLI over stdio, with `$BROWSER` set to a stand-in that follows the
 * suite's auto-approving redirects back to the switchboard's callback, waits
 * for the proxy's tools, lists them and calls the first, then exits 0, or 1
 * with the reason on stderr. For pre-registration, the suite's client id and
 * secret (MCP_CONFORMANCE_CONTEXT) go into the entry's `oauth`, the secret as
 * `${env:…}` as a user would write it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const BROWSER = join(ROOT, 'out', 'fixtures', 'follow-redirects.js');
const SECRET_ENV = 'CONFORMANCE_CLIENT_SECRET';
const TOOLS_TIMEOUT_MS = 20_000;
/** The Client ID Metadata Document URL the suite's own example client gives (its CIMD scenario expects it); other scenarios' servers do not support CIMD and register dynamically. */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

interface Context {
  readonly client_id?: string;
  readonly client_secret?: string;
}

async function main(): Promise<void> {
  const serverUrl = process.argv.at(-1);
  if (!serverUrl?.startsWith('http')) throw new Error('usage: authClient.ts SERVER_URL');
  const context = JSON.parse(process.env['MCP_CONFORMANCE_CONTEXT'] ?? '{}') as Context;
  const folder = mkdtempSync(join(tmpdir(), 'switchboard-auth-conformance-'));
  try {
    const oauth =
      context.client_id === undefined
        ? { clientMetadataUrl: CLIENT_METADATA_URL }
        : { clientId: context.client_id, ...(context.client_secret !== undefined && { clientSecret: `\${env:${SECRET_ENV}}` }) };
    const config = join(folder, 'proxies.json');
    writeFileSync(config, JSON.stringify({ proxies: { scenario: { url: serverUrl, prefix: '', oauth } } }));
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      XDG_CONFIG_HOME: join(folder, 'config'),
      BROWSER: `${process.execPath} ${BROWSER}`,
      ...(context.client_secret !== undefined && { [SECRET_ENV]: context.client_secret }),
    };
    const client = new Client({ name: 'switchboard-auth-conformance', version: '1.0.0' });
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--stdio', '--config', config], env, stderr: 'inherit' });
    const toolsChanged = new Promise<void>((resolveChanged) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolveChanged()));
    await client.connect(transport);
    try {
      const tool = await firstProxyTool(client, toolsChanged);
      await client.callTool({ name: tool, arguments: {} });
    } finally {
      await client.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The first tool that is not the switchboard's own, waiting for the proxy to sign in and mount. */
async function firstProxyTool(client: Client, toolsChanged: Promise<void>): Promise<string> {
  const own = new Set(['list_proxies', 'add_proxy', 'remove_proxy']);
  const deadline = Date.now() + TOOLS_TIMEOUT_MS;
  let changed = toolsChanged;
  while (Date.now() < deadline) {
    const { tools } = await client.listTools();
    const tool = tools.find((candidate) => !own.has(candidate.name));
    if (tool) return tool.name;
    await Promise.race([changed, new Promise((wait) => setTimeout(wait, 500))]);
    changed = new Promise<void>((resolveChanged) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolveChanged()));
  }
  throw new Error(`the proxy did not mount any tool within ${TOOLS_TIMEOUT_MS / 1000} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`authClient: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
