import assert from 'node:assert/strict';
import { type ExpansionContext, expandEntry, secretKeys } from '../../src/core/registry/expand';

const context: ExpansionContext = {
  env: { TOKEN: 't0k', PORT: '9000' },
  userHome: '/home/ada',
  workspaceFolder: '/work/project',
  secret: (key) => (key === 'github' ? 's3cret' : undefined),
};

describe('variable expansion', () => {
  it('expands env, userHome, workspaceFolder and secret in every string', () => {
    const expanded = expandEntry(
      { command: '${userHome}/bin/server', args: ['${workspaceFolder}'], env: { TOKEN: '${env:TOKEN}' }, cwd: '${workspaceFolder}' },
      context,
    );
    assert.deepEqual(expanded, { command: '/home/ada/bin/server', args: ['/work/project'], env: { TOKEN: 't0k' }, cwd: '/work/project' });
    const remote = expandEntry({ url: 'http://localhost:${env:PORT}/mcp', headers: { Authorization: 'Bearer ${secret:github}' } }, context);
    assert.deepEqual(remote, { url: 'http://localhost:9000/mcp', headers: { Authorization: 'Bearer s3cret' } });
  });

  it('names the variable that has no value and what to do', () => {
    assert.throws(() => expandEntry({ url: 'http://x/${env:NOPE}' }, context), /\$\{env:NOPE\} is not set: set the environment variable NOPE/);
    assert.throws(() => expandEntry({ url: 'http://x', headers: { a: '${secret:gitlab}' } }, context), /store the secret "gitlab"/);
    assert.throws(() => expandEntry({ command: '${workspaceFolder}' }, { ...context, workspaceFolder: undefined }), /open a folder/);
    assert.throws(() => expandEntry({ command: '${what}' }, context), /not a known variable/);
  });

  it('lists the secrets an entry needs', () => {
    assert.deepEqual(secretKeys({ url: 'http://x', headers: { a: '${secret:one}', b: '${secret:two} ${secret:one}' } }), ['one', 'two']);
  });
});
