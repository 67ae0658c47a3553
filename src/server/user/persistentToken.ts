import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writePrivateFile } from './userFiles';

/** The user switchboard's bearer token: the one saved (0600), or a new random one saved now. */
export async function persistentToken(path: string): Promise<string> {
  const saved = await readFile(path, 'utf8').then((text) => text.trim(), () => '');
  if (saved.length >= 32) return saved;
  const token = randomBytes(32).toString('base64url');
  await writePrivateFile(path, `${token}\n`);
  return token;
}
