import { findCause } from '../errors';

/**
 * A proxy's server wants a sign-in the switchboard cannot do on its own now:
 * no tokens, a refresh token that no longer works, or more permissions asked
 * for. The backend shows "needs sign-in" (and, where the host signs in by
 * itself, starts the sign-in) instead of retrying in a loop.
 */
export class NeedsSignInError extends Error {
  override readonly name = 'NeedsSignInError';
}

/** Finds a NeedsSignInError in an error or the errors it wraps (the SDK wraps what a transport throws). */
export function findNeedsSignIn(error: unknown): NeedsSignInError | undefined {
  return findCause(error, (candidate) => candidate instanceof NeedsSignInError);
}
