import assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { type IndexedCatalog, ToolIndex } from '../../src/core/surface/toolSearch';

/** A proxied tool under its front name, as the catalog lists it. */
function tool(name: string, description: string, properties: string[] = []): Tool {
  return { name, description, inputSchema: { type: 'object', properties: Object.fromEntries(properties.map((property) => [property, { type: 'string' }])) } };
}

/** A catalog of proxies' tools, each tool its own source, as the front shows it. */
function catalog(proxies: Readonly<Record<string, readonly Tool[]>>): IndexedCatalog {
  return { toolSections: new Map(Object.entries(proxies).map(([proxy, tools]) => [proxy, tools.map((tool) => ({ source: tool, override: undefined, tool }))])) };
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
  it('ranks by name, splitting names and stemming words', () => {
    const index = new ToolIndex();
    index.update(
      catalog({
        fs: [tool('fs_list_directory', 'Lists the entries of a directory.', ['path']), tool('fs_readFile', 'Reads a file.', ['path']), tool('fs_write_file', 'Writes a file.')],
        notes: [tool('notes_add', 'Adds a note.')],
      }),
    );
    assert.deepEqual(names(index.search('listing directories', 5, everyone)), ['fs_list_directory']);
    assert.equal(names(index.search('read file', 5, everyone))[0], 'fs_readFile');
    assert.equal(index.size, 4);
  });

  it('answers only what accept lets through, up to the limit', () => {
    const index = new ToolIndex();
    index.update(catalog({ store: collections(20) }));
    const found = index.search('records', 3, (found) => !found.name.endsWith('_0'));
    assert.equal(found.length, 3);
    assert.ok(!names(found).includes('store_collection_0'));
  });

  it('over many similar tools, finds the one the telling word picks, whatever the words all of them share', () => {
    const index = new ToolIndex();
    index.update(catalog({ store: collections(500) }));
    assert.deepEqual(names(index.search('records of collection 7 newest first', 1, everyone)), ['store_collection_7']);
    // A word no tool has does not leave the common words with nothing to pick: they all match.
    assert.equal(index.search('records of collection 9999 newest first', 8, everyone).length, 8);
    assert.equal(index.search('newest records', 8, everyone).length, 8);
  });

  it('follows the catalog: a changed tool is found by its new words, a removed one no more, other proxies as they were', () => {
    const index = new ToolIndex();
    const notes = [tool('notes_add', 'Adds a note.')];
    index.update(catalog({ w: [tool('w_forecast', 'Tells the weather forecast.'), tool('w_time', 'Tells the time.')], notes }));
    index.update(catalog({ w: [tool('w_forecast', 'Tells the chance of rain.'), tool('w_alerts', 'Lists storm warnings.')], notes }));
    assert.deepEqual(names(index.search('rain', 5, everyone)), ['w_forecast']);
    assert.deepEqual(names(index.search('weather', 5, everyone)), []);
    assert.deepEqual(names(index.search('time', 5, everyone)), []);
    assert.deepEqual(names(index.search('storm warnings', 5, everyone)), ['w_alerts']);
    assert.deepEqual(names(index.search('note', 5, everyone)), ['notes_add']);
    assert.equal(index.size, 3);
  });

  it('takes a front name that passes from one proxy to another, and drops a proxy that is gone', () => {
    const index = new ToolIndex();
    index.update(catalog({ a: [tool('shared_name', 'Plays music.')], b: [tool('b_other', 'Paints walls.')] }));
    index.update(catalog({ b: [tool('b_other', 'Paints walls.'), tool('shared_name', 'Bakes bread.')] }));
    assert.deepEqual(names(index.search('bread', 5, everyone)), ['shared_name']);
    assert.deepEqual(names(index.search('music', 5, everyone)), []);
    assert.equal(index.size, 2);
  });
});
