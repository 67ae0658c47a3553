import assert from 'node:assert/strict';
import { agentEntryProblem, forbiddenHostKind, type HostLookup, resolvedHostProblem } from '../../src/core/registry/agentPolicy';

/** A resolver that answers from a table and records what it was asked: no test here reaches a real one. */
function tableLookup(table: Record<string, string[]>): HostLookup & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (host: string) => {
    asked.push(host);
    const addresses = table[host];
    if (!addresses) throw new Error(`ENOTFOUND ${host}`);
    return addresses;
  };
  return Object.assign(lookup, { asked });
}

describe('what the agent may not propose', () => {
  it('refuses ${…} in every field, saying only the user may write variables', () => {
    const hostile = [
      { url: 'http://127.0.0.1:9/leak/${env:HOME}' },
      { url: 'http://127.0.0.1:9/mcp', headers: { 'X-Leak': '${secret:github}' } },
      { url: 'http://127.0.0.1:9/mcp', headers: { '${userHome}': 'x' } },
      { command: 'node', args: ['server.js', '--token=${secret:github}'] },
      { command: '${userHome}/bin/server' },
      { command: 'node', env: { TOKEN: '${env:GITHUB_TOKEN}' } },
      { command: 'node', cwd: '${workspaceFolder}' },
      { command: 'node', args: ['${unknownKind:x}'] },
    ];
    for (const entry of hostile) {
      const problem = agentEntryProblem(entry);
      assert.ok(problem, `accepted ${JSON.stringify(entry)}`);
      assert.match(problem, /variables can only be written by the user, in settings or the registry file/);
      assert.doesNotMatch(problem, /\n/, 'one line');
    }
    assert.match(agentEntryProblem({ command: 'node', args: ['a', '--token=${secret:github}'] }) ?? '', /^args\[1\] contains "\$\{secret:github\}"/);
    assert.match(agentEntryProblem({ url: 'http://h/mcp', headers: { A: 'Bearer ${secret:gh}' } }) ?? '', /^headers\.A contains/);
  });

  it('refuses link-local and cloud-metadata hosts, in every spelling a URL parser accepts', () => {
    const refused = [
      'http://169.254.169.254/latest/meta-data/',
      'http://169.254.0.1:8080/mcp',
      'http://0xa9fea9fe/mcp', // 169.254.169.254 in hex
      'http://2852039166/mcp', // and as one number
      'http://[fe80::1]/mcp',
      'http://[febf::1]/mcp',
      'http://[::ffff:169.254.169.254]/mcp',
      'http://[fd00:ec2::254]/mcp',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.GOOGLE.INTERNAL./x',
      'http://metadata/x',
      'http://metadata.goog/x',
      'http://instance-data.ec2.internal/x',
      'http://100.100.100.200/latest/meta-data',
    ];
    for (const url of refused) {
      const problem = agentEntryProblem({ url });
      assert.match(problem ?? '', /^The agent may not add .*: .* is a (link-local address|cloud metadata service)/, url);
    }
  });

  it('lets loopback and ordinary hosts through, and the user-free fields of an entry', () => {
    for (const url of ['http://localhost:8100/sse', 'http://127.0.0.1:3001/mcp', 'http://[::1]:3001/mcp', 'https://api.example.com/mcp/', 'http://10.0.0.5/mcp', 'http://[fec0::1]/mcp']) {
      assert.equal(agentEntryProblem({ url }), undefined, url);
    }
    assert.equal(agentEntryProblem({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], env: { DEBUG: '1' } }), undefined);
    assert.equal(forbiddenHostKind('metadata.example.com'), undefined);
  });

  it('refuses a name that resolves to a metadata address, asking only the resolver', async () => {
    const lookup = tableLookup({ 'sneaky.example': ['93.184.216.34', '169.254.169.254'], 'fine.example': ['93.184.216.34'] });
    assert.match(
      (await resolvedHostProblem('http://sneaky.example/mcp', lookup)) ?? '',
      /^The agent may not add http:\/\/sneaky\.example\/mcp: sneaky\.example resolves to 169\.254\.169\.254, a link-local address/,
    );
    assert.equal(await resolvedHostProblem('http://fine.example/mcp', lookup), undefined);
    assert.equal(await resolvedHostProblem('http://unknown.example/mcp', lookup), undefined, 'a name that does not resolve is left to the connection to report');
    assert.equal(await resolvedHostProblem('http://127.0.0.1/mcp', lookup), undefined);
    assert.deepEqual(lookup.asked, ['sneaky.example', 'fine.example', 'unknown.example'], 'addresses are not looked up');
  });
});
