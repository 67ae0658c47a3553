import assert from 'node:assert/strict';
import { BACKOFF_MAX_MS, backoffDelay } from '../../src/core/backends/backoff';

describe('reconnect backoff', () => {
  it('doubles from one second and stops at the cap', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map(backoffDelay), [1000, 2000, 4000, 8000, 16000]);
    assert.equal(backoffDelay(5), BACKOFF_MAX_MS);
    assert.equal(backoffDelay(500), BACKOFF_MAX_MS);
  });
});
