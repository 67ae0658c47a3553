import * as assert from 'node:assert/strict';
import { CLIENTS, connectionConfig, isWindowConfig } from '../../src/extension/connectionConfig';
import { entryFromTarget, splitCommandLine } from '../../src/extension/settings/targetInput';
import { withToolShown } from '../../src/extension/settings/toolFilterEdit';

// The extension's pure helpers (no vscode import): what Add Proxy makes of a
// typed target, what a tool checkbox writes, what Copy Connection Config copies.

describe('Add Proxy: splitting a typed command line', () => {
  it('splits on blanks and keeps quoted words whole', () => {
    assert.deepEqual(splitCommandLine(`npx -y  @scope/server "/path with space" 'single $HOME'`), [
      'npx',
      '-y',
      '@scope/server',
      '/path with space',
      'single $HOME',
    ]);
  });

  it('treats a backslash as an escape only before a blank, a quote or a backslash, so Windows paths survive', () => {
    assert.deepEqual(splitCommandLine('C:\\Tools\\server.exe my\\ file "say \\"hi\\""'), ['C:\\Tools\\server.exe', 'my file', 'say "hi"']);
  });

  it('keeps empty quoted arguments', () => {
    assert.deepEqual(splitCommandLine(`run "" ''`), ['run', '', '']);
  });

  it('says which quote is left open', () => {
    assert.match(String(splitCommandLine('node "server.js')), /double quote is not closed/);
    assert.match(String(splitCommandLine("node 'server.js")), /single quote is not closed/);
  });
});

describe('Add Proxy: a typed target becomes an entry, or a reason', () => {
  it('takes http(s) URLs as url proxies and anything else as a command', () => {
    assert.deepEqual(entryFromTarget('a', ' http://localhost:3001/mcp '), { entry: { url: 'http://localhost:3001/mcp' } });
    assert.deepEqual(entryFromTarget('a', 'npx -y pkg'), { entry: { command: 'npx', args: ['-y', 'pkg'] } });
    assert.deepEqual(entryFromTarget('a', 'server'), { entry: { command: 'server' } });
  });

  it("explains bad targets in the registry's words", () => {
    assert.match(JSON.stringify(entryFromTarget('a', '')), /Type the URL of an MCP server/);
    assert.match(JSON.stringify(entryFromTarget('a', 'ws://host/mcp')), /only http:\/\/ and https:\/\/ URLs are supported/);
    assert.match(JSON.stringify(entryFromTarget('a', 'https://')), /is not a URL/);
    assert.match(JSON.stringify(entryFromTarget('a', '""')), /The command is empty/);
  });
});

describe('Tree checkboxes: hiding and showing one tool', () => {
  const entry = { command: 'server' };

  it('hides a tool by adding its name to tools.exclude, once', () => {
    const hidden = withToolShown(entry, 'echo', false);
    assert.deepEqual(hidden, { command: 'server', tools: { exclude: ['echo'] } });
    assert.deepEqual(withToolShown(hidden, 'echo', false), hidden);
  });

  it('shows it again by taking the name out, dropping an empty tools object', () => {
    assert.deepEqual(withToolShown({ ...entry, tools: { exclude: ['echo'] } }, 'echo', true), entry);
    assert.deepEqual(withToolShown({ ...entry, tools: { exclude: ['echo', '*delete*'] } }, 'echo', true), {
      ...entry,
      tools: { exclude: ['*delete*'] },
    });
  });

  it('adds the name to an include list that would otherwise keep the tool hidden', () => {
    assert.deepEqual(withToolShown({ ...entry, tools: { include: ['search*'] } }, 'echo', true), {
      ...entry,
      tools: { include: ['search*', 'echo'] },
    });
  });
});

describe('Copy Connection Config', () => {
  const url = 'http://127.0.0.1:4321/mcp';

  it('gives each client this window’s URL and bearer token in its own format', () => {
    const vscodeJson = JSON.parse(connectionConfig('vscodeWindow', url, 'T', undefined, '').text);
    assert.deepEqual(vscodeJson, { servers: { switchboard: { type: 'http', url, headers: { Authorization: 'Bearer T' } } } });
    const cursor = JSON.parse(connectionConfig('cursorWindow', url, 'T', undefined, '').text);
    assert.deepEqual(cursor, { mcpServers: { switchboard: { url, headers: { Authorization: 'Bearer T' } } } });
    assert.equal(connectionConfig('claudeCodeWindow', url, 'T', undefined, '').text, `claude mcp add --transport http switchboard ${url} --header "Authorization: Bearer T"\n`);
  });

  it('gives each client connect, which needs no URL or token and keeps working across restarts, in its own format', () => {
    const cli = '/storage/mcp-switchboard-cli.js';
    const claude = JSON.parse(connectionConfig('claudeDesktop', url, 'T', undefined, cli).text);
    assert.deepEqual(claude, { mcpServers: { switchboard: { command: 'node', args: [cli, 'connect'] } } });
    const profiled = JSON.parse(connectionConfig('claudeDesktop', url, 'T', 'review', cli).text);
    assert.deepEqual(profiled.mcpServers['switchboard-review'].args, [cli, 'connect', '--profile', 'review']);
    assert.deepEqual(JSON.parse(connectionConfig('cursor', url, 'T', undefined, cli).text), claude);
    assert.deepEqual(JSON.parse(connectionConfig('vscode', url, 'T', undefined, cli).text), { servers: { switchboard: { type: 'stdio', command: 'node', args: [cli, 'connect'] } } });
    assert.equal(connectionConfig('claudeCode', url, 'T', 'review', cli).text, `claude mcp add switchboard-review -- node ${cli} connect --profile review\n`);
    // A path with a space or a quote stays one word for the shell.
    assert.equal(
      connectionConfig('claudeCode', url, 'T', undefined, "/Users/Jo O'Neil/cli.js").text,
      `claude mcp add switchboard -- node '/Users/Jo O'\\''Neil/cli.js' connect\n`,
    );
    for (const text of CLIENTS.filter((client) => !isWindowConfig(client)).map((client) => connectionConfig(client, url, 'T', undefined, cli).text)) {
      assert.doesNotMatch(text, /Bearer|4321/, 'no token and no port: nothing that changes at a restart');
    }
  });
});
