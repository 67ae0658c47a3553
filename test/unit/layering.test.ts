import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SRC = resolve(__dirname, '..', '..', 'src');
/** What the extension may take from core: contracts and pure parsing (entries, file formats, IPC), never the engine. */
const CORE_CONTRACTS = new Set(['registry', 'registryFormats', 'status', 'ipc', 'expand', 'agentPolicy', 'limits', 'surfaceModes']);

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
      assert.ok(!imports.some((path) => path.startsWith('../')), `${file} imports ${imports.find((path) => path.startsWith('../'))}`);
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
