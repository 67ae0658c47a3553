import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCommand, findEntryCommand, type LookupEnvironment } from '../../src/extension/settings/commandLookup';

/**
 * Add Proxy… looks a command up as it will be started. On this system the
 * lookup runs against real files; Windows' rules (PATHEXT, the current folder
 * first, names in any case) run against a listing of Windows files.
 */
describe('Finding a proxy\'s command as the switchboard will start it', () => {
  const posix = process.platform === 'win32' ? describe.skip : describe;

  posix('on this system', () => {
    let root: string;
    const environment = (path: string, cwd = root): LookupEnvironment => ({ platform: process.platform, env: { PATH: path }, cwd });

    before(() => {
      root = mkdtempSync(join(tmpdir(), 'command-lookup-'));
      for (const folder of ['bin', 'other', 'work', join('bin', 'folder')]) mkdirSync(join(root, folder), { recursive: true });
      writeFileSync(join(root, 'bin', 'tool'), '#!/bin/sh\n');
      chmodSync(join(root, 'bin', 'tool'), 0o755);
      writeFileSync(join(root, 'other', 'plain'), 'not executable');
      chmodSync(join(root, 'other', 'plain'), 0o644);
      writeFileSync(join(root, 'work', 'local'), '#!/bin/sh\n');
      chmodSync(join(root, 'work', 'local'), 0o755);
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it('finds a name in a folder of PATH, and not a file that cannot be run or a folder', async () => {
      const path = `${join(root, 'other')}:${join(root, 'bin')}`;
      assert.deepEqual(await findCommand('tool', environment(path)), { kind: 'found', file: join(root, 'bin', 'tool') });
      assert.deepEqual(await findCommand('plain', environment(path)), { kind: 'missing', problem: '"plain" is not on PATH (2 folders searched).' });
      assert.equal((await findCommand('folder', environment(join(root, 'bin')))).kind, 'missing');
      assert.deepEqual(await findCommand('definitely-not-a-command', environment(join(root, 'bin'))), {
        kind: 'missing',
        problem: '"definitely-not-a-command" is not on PATH (1 folder searched).',
      });
    });

    it('takes a name with a slash as a path, relative to the folder the backend starts in', async () => {
      const work = join(root, 'work');
      assert.deepEqual(await findCommand('./local', environment('', work)), { kind: 'found', file: join(work, 'local') });
      assert.deepEqual(await findCommand('../bin/tool', environment('', work)), { kind: 'found', file: join(root, 'bin', 'tool') });
      assert.deepEqual(await findCommand(join(root, 'bin', 'tool'), environment('')), { kind: 'found', file: join(root, 'bin', 'tool') });
      assert.deepEqual(await findCommand('./tool', environment(join(root, 'bin'), work)), {
        kind: 'missing',
        problem: `"./tool" was not found in ${work} as an executable file.`,
      });
      // An empty entry in PATH is the current folder.
      assert.deepEqual(await findCommand('local', environment(`${join(root, 'other')}::`, work)), { kind: 'found', file: join(work, 'local') });
    });

    it('leaves a command with variables it cannot expand here to the switchboard', async () => {
      assert.deepEqual(await findCommand('${secret:tool}', environment(join(root, 'bin'))), { kind: 'skipped' });
      assert.deepEqual(await findEntryCommand({ command: '${secret:tool}' }, undefined), { kind: 'skipped' });
      assert.deepEqual(await findEntryCommand({ url: 'http://127.0.0.1:9/mcp' }, undefined), { kind: 'skipped' });
    });

    it('expands ${workspaceFolder}, ${userHome} and ${env:…} first, and uses the entry\'s own PATH and cwd', async () => {
      assert.deepEqual(await findEntryCommand({ command: '${workspaceFolder}/bin/tool' }, root), { kind: 'found', file: join(root, 'bin', 'tool') });
      assert.equal((await findEntryCommand({ command: '${userHome}/definitely-not-here' }, root)).kind, 'missing');
      assert.deepEqual(await findEntryCommand({ command: 'tool', env: { PATH: join(root, 'bin') } }, undefined), {
        kind: 'found',
        file: join(root, 'bin', 'tool'),
      });
      assert.deepEqual(await findEntryCommand({ command: './local', cwd: '${workspaceFolder}/work' }, root), { kind: 'found', file: join(root, 'work', 'local') });
    });
  });

  describe('with the rules of Windows', () => {
    const files = new Set(['c:\\tools\\npx.cmd', 'c:\\work\\server.exe', 'c:\\python\\python.exe', 'c:\\tools\\script.js']);
    const environment = (env: Record<string, string>): LookupEnvironment => ({
      platform: 'win32',
      env,
      cwd: 'C:\\work',
      // Windows' file names are case-insensitive, and nothing needs an executable bit.
      isRunnable: async (file) => files.has(file.toLowerCase()),
    });
    const standard = environment({ Path: 'C:\\tools;"C:\\python"', PATHEXT: '.COM;.EXE;.BAT;.CMD' });

    it('tries the extensions of PATHEXT in each folder of Path, whatever the variables\' case', async () => {
      assert.deepEqual(await findCommand('npx', standard), { kind: 'found', file: 'C:\\tools\\npx.CMD' });
      assert.deepEqual(await findCommand('python', standard), { kind: 'found', file: 'C:\\python\\python.EXE' });
      assert.deepEqual(await findCommand('NPX.CMD', standard), { kind: 'found', file: 'C:\\tools\\NPX.CMD' });
      assert.deepEqual(await findCommand('node', standard), { kind: 'missing', problem: '"node" is not on PATH (3 folders searched).' });
    });

    it('searches the folder the backend starts in first, and takes backslashes as a path', async () => {
      assert.deepEqual(await findCommand('server', standard), { kind: 'found', file: 'C:\\work\\server.EXE' });
      assert.deepEqual(await findCommand('C:\\tools\\npx', standard), { kind: 'found', file: 'C:\\tools\\npx.CMD' });
      assert.deepEqual(await findCommand('..\\tools\\npx', standard), { kind: 'found', file: 'C:\\tools\\npx.CMD' });
      assert.deepEqual(await findCommand('D:\\nowhere\\npx', standard), { kind: 'missing', problem: '"D:\\nowhere\\npx" was not found.' });
    });

    it('uses Windows\' default PATHEXT when it is not set, and a name with another extension as it is', async () => {
      assert.deepEqual(await findCommand('npx', environment({ PATH: 'C:\\tools' })), { kind: 'found', file: 'C:\\tools\\npx.CMD' });
      assert.deepEqual(await findCommand('script.js', standard), { kind: 'found', file: 'C:\\tools\\script.js' });
    });
  });
});
