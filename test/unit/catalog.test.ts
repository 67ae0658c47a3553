import assert from 'node:assert/strict';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../../src/core/backends/backend';
import { Catalog } from '../../src/core/surface/catalog';
import { proxyViewOf, type ViewedBackend } from '../../src/core/surface/proxyView';
import type { ProxyEntry } from '../../src/core/registry/registry';

function tool(name: string): Tool {
  return { name, description: `Does ${name}.`, inputSchema: { type: 'object' } };
}

/** What the catalog reads of a connected backend (its name and lists), as a view with this entry shows it. */
function backend(name: string, tools: readonly Tool[], entry: ProxyEntry = { command: 'node' }): ViewedBackend {
  const mount = { entry, scope: 'user' as const };
  return { backend: { name, mount, tools, prompts: [], resources: [], templates: [] } as unknown as Backend, view: proxyViewOf(mount) };
}

describe('catalog', () => {
  it('keeps the previous catalog\'s tools of a proxy that did not change, and makes new ones for the proxy that did', () => {
    const weather = backend('weather', [tool('forecast'), tool('alerts')]);
    const first = new Catalog([weather, backend('notes', [tool('add')])], []);
    const second = new Catalog([weather, backend('notes', [tool('add'), tool('list')])], [], [], first);
    assert.equal(second.toolSections.get('weather'), first.toolSections.get('weather'));
    assert.notEqual(second.toolSections.get('notes'), first.toolSections.get('notes'));
    assert.deepEqual(
      second.tools.map((shown) => shown.name),
      ['weather_forecast', 'weather_alerts', 'notes_add', 'notes_list'],
    );
  });

  it('makes a proxy\'s tools anew when their front names or overrides change, though the backend\'s tools did not', () => {
    const tools = [tool('forecast')];
    const first = new Catalog([backend('weather', tools)], []);
    const renamed = new Catalog([backend('weather', tools, { command: 'node', prefix: 'w' })], [], [], first);
    assert.notEqual(renamed.toolSections.get('weather'), first.toolSections.get('weather'));
    assert.deepEqual(renamed.tools.map((shown) => shown.name), ['w_forecast']);
    const described = new Catalog([backend('weather', tools, { command: 'node', prefix: 'w', tools: { overrides: { forecast: { description: 'Rain or shine.' } } } })], [], [], renamed);
    assert.notEqual(described.toolSections.get('weather'), renamed.toolSections.get('weather'));
    assert.equal(described.tools[0]?.description, 'Rain or shine.');
    assert.equal(described.toolSources.get('w_forecast')?.source, tools[0]);
  });
});
