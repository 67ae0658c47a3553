import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * What the switchboard knows of the MCP Apps extension
 * (`@modelcontextprotocol/ext-apps`): a tool's `_meta.ui` names a `ui://`
 * resource, an HTML page the host renders in an iframe, and the page calls its
 * server's tools through the host by their own names.
 */

/** The extension's name in capabilities. */
export const APPS_EXTENSION = 'io.modelcontextprotocol/ui';
/** The media type of an App's page. */
export const APP_MIME_TYPE = 'text/html;profile=mcp-app';

/** Whether a tool is for its App's page only (`_meta.ui.visibility` without "model"): the host keeps it from the model. */
export function isAppOnly(tool: Tool): boolean {
  const visibility = (tool._meta?.ui as { visibility?: unknown } | undefined)?.visibility;
  return Array.isArray(visibility) && visibility.length > 0 && !visibility.includes('model');
}
