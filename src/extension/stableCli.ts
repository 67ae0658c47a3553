import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * A copy of the CLI in the extension's global storage: the extension's own
 * folder moves with every update, and what runs from the copy must not break
 * then: a config pasted into another program, the user's shared switchboard
 * a window started. Refreshed at each call, so it is the current version.
 * The CLI loads undici (for url proxies) from the file beside it.
 */
export async function stableCliCopy(extension: vscode.ExtensionContext): Promise<string> {
  const storage = extension.globalStorageUri;
  await vscode.workspace.fs.createDirectory(storage);
  const dist = vscode.Uri.joinPath(extension.extensionUri, 'dist');
  await replaceWithCopy(vscode.Uri.joinPath(dist, 'undici.js'), vscode.Uri.joinPath(storage, 'undici.js'));
  const target = vscode.Uri.joinPath(storage, 'mcp-switchboard-cli.js');
  await replaceWithCopy(vscode.Uri.joinPath(dist, 'cli.js'), target);
  return target.fsPath;
}

/**
 * Copies beside the target, then renames over it: a switchboard another
 * window starts from the copy meanwhile, or one loading undici from it,
 * reads the old file or the new one, never half of one.
 */
async function replaceWithCopy(source: vscode.Uri, target: vscode.Uri): Promise<void> {
  const temporary = target.with({ path: `${target.path}.${randomBytes(6).toString('hex')}.tmp` });
  await vscode.workspace.fs.copy(source, temporary, { overwrite: true });
  try {
    await vscode.workspace.fs.rename(temporary, target, { overwrite: true });
  } catch (error) {
    await vscode.workspace.fs.delete(temporary).then(undefined, () => undefined);
    throw error;
  }
}
