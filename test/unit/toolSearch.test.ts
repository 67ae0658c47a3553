import assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { type IndexedCatalog, ToolIndex } from '../../src/core/toolSearch';

/** A proxied tool under its front name, as the catalog lists it. */
function tool(name: string, description: string, properties: string[] = []): Tool {
  return { name, description, inputSchema: { type: 'object', properties: Object.fromEntries(properties.map((property) => [property, { type: 'string' }])) } };
}

/** A catalog of proxied tools (each its own source) and, optionally, the switchboard's own tools. */
function catalog(tools: readonly Tool[], own: readonly Tool[] = []): IndexedCatalog {
  return { tools: [...own, ...tools], toolSources: new Map(tools.map((source) => [source.name, { source, override: undefined }])) };
}

const everyone = () => true;
const names = (found: readonly Tool[]) => found.map((found) => found.name);

/** Many tools alike but for a number, as the benchmark's scale catalog: every word but the number is in almost all of them. */
function collections(count: number): Tool[] {
  return Array.from({ length: count }, (_, index) =>
    tool(`store_collection_${index}`, `Searches the records of collection ${index} and returns the best matches, newest first.`, ['query']),
  );
}

describe('tool search index', () => {
  it('ranks by name, splitting names and stemming words, and leaves out the switchboard own tools', () => {
    const index = new ToolIndex();
    index.update(
      catalog(
        [tool('fs_list_directory', 'Lists the entries of a directory.', ['path']), tool('fs_readFile', 'Reads a file.', ['path']), tool('fs_write_file', 'Writes a file.')],
        [tool('list_proxies', 'Lists the mounted proxies and their directories.')],
      ),
    );
    assert.deepEqual(names(index.search('listing directories', 5, everyone)), ['fs_list_directory']);
    assert.equal(names(index.search('read file', 5, everyone))[0], 'fs_readFile');
    assert.equal(index.size, 3);
  });

  it('answers only what accept lets through, up to the limit', () => {
    const index = new ToolIndex();
    index.update(catalog(collections(20)));
    const found = index.search('records', 3, (found) => !found.name.endsWith('_0'));
    assert.equal(found.length, 3);
    assert.ok(!names(found).includes('store_collection_0'));
  });

  it('over many similar tools, finds the one the telling word picks, whatever the words all of them share', () => {
    const index = new ToolIndex();
    index.update(catalog(collections(500)));
    assert.deepEqual(names(index.search('records of collection 7 newest first', 1, everyone)), ['store_collection_7']);
    // A word no tool has does not leave the common words with nothing to pick: they all match.
    assert.equal(index.search('records of collection 9999 newest first', 8, everyone).length, 8);
    assert.equal(index.search('newest records', 8, everyone).length, 8);
  });

  it('follows the catalog: a changed tool is found by its new words, a removed one no more', () => {
    const index = new ToolIndex();
    const weather = tool('w_forecast', 'Tells the weather forecast.');
    const clock = tool('w_time', 'Tells the time.');
    index.update(catalog([weather, clock]));
    index.update(catalog([tool('w_forecast', 'Tells the chance of rain.'), tool('w_alerts', 'Lists storm warnings.')]));
    assert.deepEqual(names(index.search('rain', 5, everyone)), ['w_forecast']);
    assert.deepEqual(names(index.search('weather', 5, everyone)), []);
    assert.deepEqual(names(index.search('time', 5, everyone)), []);
    assert.deepEqual(names(index.search('storm warnings', 5, everyone)), ['w_alerts']);
    assert.equal(index.size, 2);
  });
});
