import assert from 'node:assert/strict';
import { CallbackListener } from '../../src/core/oauth/callbackListener';

describe('CallbackListener (the loopback end of a sign-in)', () => {
  let listener: CallbackListener;
  beforeEach(async () => {
    listener = await CallbackListener.open(0);
  });
  afterEach(() => listener.close());

  it('refuses a redirect with another state and keeps waiting for the right one', async () => {
    const waiting = listener.wait('expected-state', 'remote', new AbortController().signal);
    const forged = await fetch(`${listener.url}?code=stolen&state=forged`);
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /does not belong to the sign-in/);
    const right = await fetch(`${listener.url}?code=the-code&state=expected-state&iss=${encodeURIComponent('https://issuer.example/')}`);
    assert.equal(right.status, 200);
    assert.deepEqual(await waiting, { code: 'the-code', iss: 'https://issuer.example/' });
  });

  it('rejects with the authorization server’s error, in one sentence', async () => {
    const waiting = listener.wait('s', 'remote', new AbortController().signal);
    await fetch(`${listener.url}?error=access_denied&error_description=${encodeURIComponent('The user said no')}&state=s`);
    await assert.rejects(waiting, /^Error: The authorization server refused the sign-in: access_denied \(The user said no\)\.$/);
  });

  it('ends the wait when cancelled, and answers only its own path', async () => {
    const abort = new AbortController();
    const waiting = listener.wait('s', 'remote', abort.signal);
    assert.equal((await fetch(`http://127.0.0.1:${listener.port}/favicon.ico`)).status, 404);
    abort.abort(new Error('The sign-in was cancelled.'));
    await assert.rejects(waiting, /cancelled/);
  });

  it('listens on loopback only', () => {
    assert.match(listener.url, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  });
});
