import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '..', '..', 'src');
/** What the extension may take from core: contracts and pure parsing (entries, file formats, IPC), never the engine. */
const CORE_CONTRACTS = new Set(['user/userFiles', 'user/discovery', 'user/persistentToken', 'user/windowChannel', 'registry/registry', 'registry/registryFormats', 'registry/expand', 'registry/agentPolicy', 'registry/limits', 'status', 'ipc', 'surface/surfaceModes', 'oauth/credentials']);

function sources(folder: string): { file: string; imports: string[] }[] {
  return readdirSync(join(SRC, folder), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => {
      const text = readFileSync(join(SRC, folder, file), 'utf8');
      const imports = [...text.matchAll(/(?:from\s+|import\(|require\()\s*['"]([^'"]+)['"]/g)].map((match) => match[1] ?? '');
      return { file: `${folder}/${file}`, imports };
    });
}

describe('layering', () => {
  it('keeps vscode out of core and server', () => {
    for (const { file, imports } of [...sources('core'), ...sources('server')]) {
      assert.ok(!imports.includes('vscode'), `${file} imports vscode`);
      assert.ok(!imports.some((path) => path.includes('/extension')), `${file} imports the extension`);
    }
  });

  it('lets core depend on nothing above it', () => {
    for (const { file, imports } of sources('core')) {
      // Relative imports resolve inside src/core (its folders may import each other), never above it.
      const outside = imports.filter((path) => path.startsWith('.') && relative(join(SRC, 'core'), resolve(SRC, dirname(file), path)).startsWith('..'));
      assert.deepEqual(outside, [], `${file} imports ${outside.join(', ')}`);
    }
  });

  it('lets the extension use only core’s contracts', () => {
    for (const { file, imports } of sources('extension')) {
      for (const path of imports.filter((candidate) => candidate.includes('core/'))) {
        const module = path.split('core/')[1] ?? '';
        assert.ok(CORE_CONTRACTS.has(module), `${file} imports core/${module}, which is not a contract module`);
      }
    }
  });
});
