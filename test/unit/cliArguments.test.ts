import assert from 'node:assert/strict';
import { type CliOptions, parseCliArguments, UsageError } from '../../src/server/cli/arguments';

describe('the command line', () => {
  it('takes --sse-poll as milliseconds over HTTP, and says what is allowed otherwise', () => {
    assert.equal((parseCliArguments(['--sse-poll', '1000']) as CliOptions).ssePollMs, 1000);
    assert.equal((parseCliArguments([]) as CliOptions).ssePollMs, undefined, 'streams stay open until answered');
    for (const given of ['0', '-5', '1.5', 'soon']) {
      assert.throws(() => parseCliArguments([`--sse-poll=${given}`]), new UsageError(`--sse-poll must be a whole number of milliseconds above 0, not "${given}".`));
    }
    assert.throws(() => parseCliArguments(['--stdio', '--sse-poll', '1000']), new UsageError('--sse-poll applies to HTTP, not --stdio.'));
  });
});
