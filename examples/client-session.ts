/**
 * A client session end to end: start the switchboard on the example registry,
 * connect with the SDK client, list, call a proxied tool, add a proxy live.
 * Run it with `npx tsx examples/client-session.ts` after `npm run build`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const root = resolve(__dirname, '..');
const config = join(mkdtempSync(join(tmpdir(), 'switchboard-example-')), 'proxies.json');
copyFileSync(join(root, 'examples', 'proxies.json'), config);

async function main(): Promise<void> {
  const switchboard = spawn(process.execPath, [join(root, 'dist', 'cli.js'), '--config', config, '--allow-agent-commands'], { cwd: root });
  const { url, token } = await new Promise<{ url: string; token: string }>((done) => {
    let printed = '';
    switchboard.stderr.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const url = /listening on (\S+)/.exec(printed)?.[1];
      const token = /Token: (\S+)/.exec(printed)?.[1];
      if (url && token) done({ url, token });
    });
  });
  console.log(`switchboard at ${url}`);

  const client = new Client({ name: 'example', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => console.log('<- notifications/tools/list_changed'));
  await new Promise((wait) => setTimeout(wait, 1500)); // The example proxy starts in the background.

  const tools = (await client.listTools()).tools.map((tool) => tool.name);
  console.log(`tools/list: ${tools.length} tools: ${tools.slice(0, 6).join(', ')}, …`);

  const echo = await client.callTool({ name: 'everything_echo', arguments: { message: 'hello through the switchboard' } });
  console.log('everything_echo ->', JSON.stringify(echo.content));

  const added = await client.callTool({
    name: 'add_proxy',
    arguments: { name: 'more', command: 'node', args: [join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] },
  });
  console.log('add_proxy ->', JSON.stringify(added.content).slice(0, 160), '…');
  const sum = await client.callTool({ name: 'more_get-sum', arguments: { a: 20, b: 22 } });
  console.log('more_get-sum ->', JSON.stringify(sum.content));

  const list = await client.callTool({ name: 'list_proxies', arguments: {} });
  console.log(`list_proxies ->\n${(list.content as { text: string }[])[0]?.text}`);

  await client.close();
  switchboard.kill('SIGTERM');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
