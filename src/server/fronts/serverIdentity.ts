import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Icon } from '@modelcontextprotocol/sdk/types.js';

/** The switchboard's icon, beside the bundles in the package (dist/../media). */
const ICON_PATH = join(__dirname, '..', 'media', 'switchboard.svg');

/** What the front says of itself besides its name and version: a title and an icon clients can show. */
export function serverIdentity(): { readonly title: string; readonly icons: Icon[] } {
  let icons: Icon[] = [];
  try {
    icons = [{ src: `data:image/svg+xml;base64,${readFileSync(ICON_PATH).toString('base64')}`, mimeType: 'image/svg+xml', sizes: ['any'] }];
  } catch {
    // A copy without media/ still serves; it just has no icon.
  }
  // VS Code prefixes a server's tools with its title when it has one (else its name), cut to 18 characters:
  // "Switchboard" keeps the prefix mcp_switchboard_ that tool names are budgeted for.
  return { title: 'Switchboard', icons };
}
