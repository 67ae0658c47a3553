/**
 * What the UI tests share with their runner: one teardown, run by
 * runUiTests.ts after mocha finishes (or on Ctrl+C), whatever the tests did.
 */
import { Teardown } from '../teardown';

export const teardown = new Teardown();
