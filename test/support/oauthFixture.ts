/**
 * Starts the OAuth-protected MCP test server (test/fixtures/oauth-server.ts,
 * built to out/fixtures/oauth-server.js) for the server tests, the VS Code
 * bed and the UI tests: the process, its /mcp URL, and its admin endpoints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface OAuthFixture {
  readonly url: string;
  readonly process: ChildProcess;
  /** GET (no body) or POST (JSON body) to /admin/<path>; the answer's JSON. */
  admin(path: string, body?: unknown): Promise<unknown>;
}

/** Runs the built fixture with `node` and waits for the line that says its URL; its log goes to this stderr when `log`. */
export async function startOAuthFixture(node: string, fixture: string, flags: readonly string[] = [], log = false): Promise<OAuthFixture> {
  const child = spawn(node, [fixture, ...flags], { stdio: ['ignore', 'pipe', log ? 'inherit' : 'ignore'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the OAuth fixture exited with ${code}`)));
  });
  const url = (JSON.parse(line) as { url: string }).url;
  const origin = new URL(url).origin;
  return {
    url,
    process: child,
    async admin(path, body) {
      const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      return await (await fetch(`${origin}/admin/${path}`, init)).json();
    },
  };
}
