import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writePrivateFile } from './userFiles';

/** Tokens shorter than this are not taken from the file (a truncated or hand-made one): a new one is made. */
const MIN_TOKEN_LENGTH = 32;

/** The user switchboard's bearer token: the one saved (0600), or a new random one saved now. */
export async function persistentToken(path: string): Promise<string> {
  return (await savedToken(path)) ?? (await rotateToken(path));
}

/** The token in the file, if it is one. */
export async function savedToken(path: string): Promise<string | undefined> {
  const saved = await readFile(path, 'utf8').then((text) => text.trim(), () => '');
  return saved.length >= MIN_TOKEN_LENGTH ? saved : undefined;
}

/** Saves a new random token in place of the old one; the running user switchboard takes it at once. */
export async function rotateToken(path: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await writePrivateFile(path, `${token}\n`);
  return token;
}
