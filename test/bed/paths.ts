/** Where the bed finds the repository and which extension it tests. */
import { resolve } from 'node:path';

export { EXTENSION_ID } from '../../src/extension/constants';

/** The repository root: this file is test/bed/paths.ts. */
export const REPO = resolve(__dirname, '..', '..');
