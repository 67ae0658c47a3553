import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { forbiddenAddressRefusal } from '../../src/core/errors';
import { guardedFetch, type Resolver } from '../../src/core/guardedFetch';

/** A resolver that answers from a table and notes every name it was asked: no test asks a real DNS server. */
function tableResolver(table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = ((hostname, _options, callback) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`${hostname} is not in the table`), { code: 'ENOTFOUND' }), []);
    callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as Resolver & { asked: string[] };
  resolve.asked = asked;
  return resolve;
}

describe('the fetch every url proxy and sign-in uses', () => {
  let server: Server;
  let port: number;
  let connections = 0;

  before(async () => {
    server = createServer((_request, response) => response.end('ok'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('connects by name where the name resolves to an ordinary address', async () => {
    const resolver = tableResolver({ 'mcp.switchboard.test': ['127.0.0.1'] });
    const response = await guardedFetch(resolver)(`http://mcp.switchboard.test:${port}/`);
    assert.equal(await response.text(), 'ok');
    assert.deepEqual(resolver.asked, ['mcp.switchboard.test']);
  });

  it('refuses, before any connection, a name that resolves to a metadata or link-local address, even beside a good one', async () => {
    const before = connections;
    for (const [name, bad, kind] of [
      ['rebound.switchboard.test', '169.254.169.254', 'a link-local address (169.254.0.0/16, where cloud metadata services answer)'],
      ['alibaba.switchboard.test', '100.100.100.200', 'a cloud metadata service'],
      ['linklocal.switchboard.test', 'fe80::1', 'a link-local address (fe80::/10)'],
    ] as const) {
      const resolver = tableResolver({ [name]: ['127.0.0.1', bad] });
      const error = await guardedFetch(resolver)(`http://${name}:${port}/`).then(
        () => assert.fail(`${name} was fetched`),
        (failure: unknown) => failure,
      );
      assert.equal(
        forbiddenAddressRefusal(error),
        `${name} resolves to ${bad}, ${kind}: the switchboard does not connect there by name. Write the address in the URL if that is the server you mean.`,
      );
    }
    assert.equal(connections, before, 'no connection was made');
  });

  it('hands on an answer whose reason phrase the platform would refuse, as an answer, body and all', async () => {
    const raw = createNetServer((socket) => {
      socket.once('data', () => socket.end(Buffer.from('HTTP/1.1 200 Gut ✓\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', 'utf8')));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const response = await guardedFetch(tableResolver({}))(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/`);
      assert.ok(response instanceof Response, 'the platform Response the SDK checks for');
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'ok');
    } finally {
      raw.close();
    }
  });

  it('does not look up an address written in the URL', async () => {
    const resolver = tableResolver({});
    const response = await guardedFetch(resolver)(`http://127.0.0.1:${port}/`);
    assert.equal(await response.text(), 'ok');
    assert.deepEqual(resolver.asked, []);
  });
});
