/**
 * Backends over every transport, and the front over stdio: the same echo must
 * come back whichever way the messages travel.
 */
import assert from 'node:assert/strict';
import { everythingStdio, listProxies, startEverythingHttp, startStdioSwitchboard, startSwitchboard, text, waitForTool } from './harness';


describe('transports', function () {
  this.timeout(30_000);

  for (const mode of ['sse', 'streamableHttp'] as const) {
    it(`reaches server-everything over ${mode}`, async () => {
      const backend = await startEverythingHttp(mode);
      const switchboard = await startSwitchboard({ remote: { url: backend.url } });
      try {
        const client = await switchboard.connect();
        await waitForTool(client, 'remote_echo');
        assert.equal(text(await client.callTool({ name: 'remote_echo', arguments: { message: mode } })), `Echo: ${mode}`);
        const transport = (await listProxies(client))[0]?.transport;
        assert.equal(transport, mode === 'sse' ? 'sse' : 'http');
      } finally {
        await switchboard.stop();
        await backend.stop();
      }
    });
  }

  it('serves the front over stdio, with logs on stderr only', async () => {
    const switchboard = await startStdioSwitchboard({ everything: everythingStdio });
    try {
      await waitForTool(switchboard.client, 'everything_echo');
      const echo = await switchboard.client.callTool({ name: 'everything_echo', arguments: { message: 'over stdio' } });
      assert.equal(text(echo), 'Echo: over stdio');
      assert.match(switchboard.stderr(), /everything: connected/);
    } finally {
      await switchboard.stop();
    }
  });

  it('passes large tool arguments through (5 MB)', async () => {
    const switchboard = await startSwitchboard({ everything: everythingStdio });
    try {
      const client = await switchboard.connect();
      await waitForTool(client, 'everything_echo');
      const message = 'x'.repeat(5 * 1024 * 1024);
      const echo = await client.callTool({ name: 'everything_echo', arguments: { message } });
      assert.equal(text(echo).length, message.length + 'Echo: '.length);
    } finally {
      await switchboard.stop();
    }
  });
});
