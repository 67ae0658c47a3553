import assert from 'node:assert/strict';
import { FRONT_NAME_LIMIT, frontName, prefixCandidates, sanitizeName, uniqueWithin } from '../../src/core/surface/naming';

describe('naming on the front', () => {
  it('prefixes with the proxy name and an underscore', () => {
    assert.equal(frontName('everything', 'get-sum'), 'everything_get-sum');
  });

  it('mounts unprefixed when the prefix is empty', () => {
    assert.equal(frontName('', 'echo'), 'echo');
  });

  it('replaces characters clients reject', () => {
    assert.equal(sanitizeName('files.read file/v2'), 'files_read_file_v2');
    assert.equal(frontName('gh', 'repos.list'), 'gh_repos_list');
  });

  it('shortens long names with a stable hash, keeping different names different', () => {
    const long = 'a_tool_name_that_goes_on_and_on_well_past_the_limit';
    const first = frontName('server', `${long}_one`);
    const second = frontName('server', `${long}_two`);
    assert.equal(first.length, FRONT_NAME_LIMIT);
    assert.equal(second.length, FRONT_NAME_LIMIT);
    assert.notEqual(first, second);
    assert.equal(frontName('server', `${long}_one`), first, 'the same input always gives the same name');
    assert.match(first, /^[A-Za-z0-9_-]+$/);
  });

  it('makes a name unique among taken ones without growing past the limit', () => {
    const taken = new Set(['p_a_b']);
    const unique = uniqueWithin('p_a_b', taken);
    assert.notEqual(unique, 'p_a_b');
    assert.ok(unique.length <= FRONT_NAME_LIMIT);
    assert.equal(uniqueWithin('p_c', taken), 'p_c');
  });

  it('offers numbered prefixes after the configured one, and the name after an empty one', () => {
    const take = (generator: Generator<string>, count: number) => Array.from({ length: count }, () => generator.next().value);
    assert.deepEqual(take(prefixCandidates('weather', 'weather'), 3), ['weather', 'weather2', 'weather3']);
    assert.deepEqual(take(prefixCandidates('', 'plain'), 3), ['', 'plain', 'plain2']);
  });
});
