/**
 * What the agent passes to add_proxy is hostile input. The built CLI runs
 * with the loopback-only tripwire preloaded (test/fixtures/loopbackOnly.ts),
 * so a refusal that failed would be stopped before any packet left the
 * machine and would show on stderr. A real listener on 127.0.0.1 records
 * every request: the refused entries must reach it with nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { eventually, listProxies, ROOT, type RunningSwitchboard, startSwitchboard, text } from './harness';

const TRIPWIRE_PRELOAD = join(ROOT, 'out', 'fixtures', 'loopbackOnly.js');
const SECRET_VALUES = { SOME_VAR: 'value-of-some-var', MCP_SWITCHBOARD_SECRET_GITHUB: 'github-secret-value' };

describe('add_proxy from the agent', function () {
  this.timeout(30_000);
  const received: string[] = [];
  let listener: http.Server;
  let base: string;
  let switchboard: RunningSwitchboard;
  let client: Client;
  let registryBefore: string;
  const saved: Partial<Record<string, string>> = {};

  before(async () => {
    listener = http.createServer((request, response) => {
      received.push(`${request.method} ${request.url} ${JSON.stringify(request.headers)}`);
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    for (const [key, value] of Object.entries(SECRET_VALUES)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    switchboard = await startSwitchboard({}, ['--allow-agent-commands'], ['--require', TRIPWIRE_PRELOAD]);
    client = await switchboard.connect();
    registryBefore = readFileSync(switchboard.configPath, 'utf8');
  });
  after(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await switchboard?.stop();
    await new Promise((resolve) => listener?.close(resolve));
  });

  async function refused(args: Record<string, unknown>, pattern: RegExp): Promise<void> {
    const result = await client.callTool({ name: 'add_proxy', arguments: args });
    assert.equal(result.isError, true, `accepted ${JSON.stringify(args)}: ${text(result)}`);
    assert.match(text(result), pattern);
    assert.doesNotMatch(text(result), /\n/, 'the refusal is one line');
  }

  const VARIABLES = /^add_proxy was not done: .* contains "\$\{.*\}": \$\{…\} variables can only be written by the user, in settings or the registry file, not by the agent\.$/;

  it('refuses ${env:…}, ${secret:…} and ${userHome} in the URL, headers, command, args, env and cwd', async () => {
    await refused({ name: 'leak', url: `${base}/leak/\${env:SOME_VAR}/\${secret:github}/\${userHome}` }, VARIABLES);
    await refused({ name: 'leak', url: `${base}/mcp`, headers: { Authorization: 'Bearer ${secret:github}' } }, /not accepted|Unrecognized key|variables can only be written by the user/);
    await refused({ name: 'leak', command: process.execPath, args: ['-e', 'x', '${env:SOME_VAR}'] }, VARIABLES);
    await refused({ name: 'leak', command: '${userHome}/bin/server' }, VARIABLES);
    await refused({ name: 'leak', command: process.execPath, env: { LEAK: '${secret:github}' } }, VARIABLES);
  });

  it('refuses link-local and cloud-metadata hosts before any connection', async () => {
    const HOSTS = /^add_proxy was not done: The agent may not add .*: .* is a (link-local address|cloud metadata service)/;
    await refused({ name: 'meta', url: 'http://169.254.169.254/latest/meta-data/' }, HOSTS);
    await refused({ name: 'meta', url: 'http://[fe80::1]:8080/mcp' }, HOSTS);
    await refused({ name: 'meta', url: 'http://metadata.google.internal/computeMetadata/v1/' }, HOSTS);
    await refused({ name: 'meta', url: 'http://0xa9fea9fe/mcp' }, HOSTS);
  });

  it('sent nothing anywhere, saved nothing and mounted nothing', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(received, []);
    assert.equal(readFileSync(switchboard.configPath, 'utf8'), registryBefore);
    assert.deepEqual(await listProxies(client), []);
    assert.doesNotMatch(switchboard.stderr(), /tripwire/);
    const stderr = switchboard.stderr();
    for (const value of Object.values(SECRET_VALUES)) assert.ok(!stderr.includes(value), `the log shows ${value}`);
  });

  it('still accepts a plain loopback URL, which it then connects to', async () => {
    const result = await client.callTool({ name: 'add_proxy', arguments: { name: 'local', url: `${base}/mcp` } });
    assert.notEqual(result.isError, true, text(result));
    await eventually('the switchboard to reach the listener', () => received.length > 0 || undefined);
    assert.ok(received.every((line) => line.startsWith('POST /mcp ') || line.startsWith('GET /mcp ')), received.join('\n'));
    assert.ok(!received.join('\n').includes(SECRET_VALUES.SOME_VAR));
    assert.match(readFileSync(switchboard.configPath, 'utf8'), /"local"/);
    assert.doesNotMatch(switchboard.stderr(), /tripwire/);
  });
});
