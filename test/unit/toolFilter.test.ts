import assert from 'node:assert/strict';
import { compileToolFilter } from '../../src/core/surface/toolFilter';

describe('tool include/exclude globs', () => {
  it('shows everything without a filter', () => {
    assert.equal(compileToolFilter(undefined)('anything'), true);
    assert.equal(compileToolFilter({ include: [], exclude: [] })('anything'), true);
  });

  it('shows only what an include glob matches', () => {
    const shown = compileToolFilter({ include: ['search*', 'get_?'] });
    assert.deepEqual(['search', 'search_code', 'get_a', 'get_ab', 'delete'].filter(shown), ['search', 'search_code', 'get_a']);
  });

  it('hides what an exclude glob matches, even when included', () => {
    const shown = compileToolFilter({ include: ['*'], exclude: ['*delete*'] });
    assert.deepEqual(['list', 'delete_repo', 'force-delete'].filter(shown), ['list']);
  });

  it('treats regular expression characters literally', () => {
    const shown = compileToolFilter({ include: ['a.b', 'x+(y)'] });
    assert.deepEqual(['a.b', 'aXb', 'x+(y)', 'xx(y)'].filter(shown), ['a.b', 'x+(y)']);
  });
});
