/**
 * A minimal MCP Apps host, as a web chat client would build one with ext-apps'
 * host side: the SDK's MCP client talks to the switchboard (through the test
 * server's same-origin relay at /mcp), the host calls the App's tool, reads
 * the tool's `ui://` page and renders it in a sandboxed iframe, and the app
 * bridge carries the page's requests (its `callServerTool`) to the client.
 *
 * Bundled for the browser by hostServer.ts; it reports its progress in
 * `window.hostState` and the page's log list, for the test and the screenshot.
 */
import { AppBridge, getToolUiResourceUri, PostMessageTransport, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/app-bridge';
import { Client, StreamableHTTPClientTransport, type CallToolResult, type Tool } from '@modelcontextprotocol/client';

declare global {
  interface Window {
    /** "starting", then "ready" once the App has its tool result, or "failed: <why>". */
    hostState: string;
  }
}

const HOST = { name: 'switchboard-e2e-host', version: '1.0.0' };
/** The extension a host declares so that servers (and the switchboard) know it renders Apps. */
const UI_EXTENSION = 'io.modelcontextprotocol/ui';

function log(line: string): void {
  const item = document.createElement('li');
  item.textContent = line;
  document.getElementById('log')?.append(item);
}

/** The App tool to show: the one the page's URL names (?tool=…), which must carry a ui:// page. */
function pickTool(tools: Tool[]): { tool: Tool; uri: string } {
  const wanted = new URLSearchParams(location.search).get('tool');
  const tool = tools.find((candidate) => candidate.name === wanted);
  if (!tool) throw new Error(`The switchboard lists no tool "${wanted}" (it lists ${tools.map((candidate) => candidate.name).join(', ')}).`);
  const uri = getToolUiResourceUri(tool);
  if (!uri) throw new Error(`Tool "${tool.name}" has no _meta.ui.resourceUri.`);
  return { tool, uri };
}

async function readAppPage(client: Client, uri: string): Promise<string> {
  const { contents } = await client.readResource({ uri });
  const content = contents[0];
  if (!content || content.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`${uri} is not an App page (${content?.mimeType ?? 'no content'}).`);
  return 'text' in content ? content.text : atob(content.blob);
}

/**
 * An iframe without `allow-same-origin`: the page runs in an opaque origin, so
 * it cannot reach the host's DOM, storage or same-origin endpoints (the relay
 * refuses it), only talk to the host through postMessage.
 */
function sandboxedFrame(title: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = title;
  document.getElementById('app')?.append(frame);
  return frame;
}

async function main(): Promise<void> {
  const client = new Client(HOST, { capabilities: { extensions: { [UI_EXTENSION]: { mimeTypes: [RESOURCE_MIME_TYPE] } } } });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', location.href)));
  log(`connected to ${client.getServerVersion()?.name ?? 'the server'}`);

  const { tool, uri } = pickTool((await client.listTools()).tools);
  // A host shows an App when the model calls its tool: here the host makes that call itself.
  const result = client.callTool({ name: tool.name, arguments: {} }) as Promise<CallToolResult>;
  const html = await readAppPage(client, uri);
  log(`called ${tool.name}; rendering ${uri} (${html.length} characters)`);

  const frame = sandboxedFrame(tool.title ?? tool.name);
  const appWindow = frame.contentWindow;
  if (!appWindow) throw new Error('The iframe has no window.');
  const bridge = new AppBridge(
    client,
    HOST,
    { serverTools: {}, serverResources: {}, logging: {} },
    { hostContext: { theme: 'light', displayMode: 'inline', toolInfo: { tool } } },
  );
  bridge.onsizechange = ({ height }) => {
    if (height !== undefined) frame.style.height = `${height}px`;
  };
  bridge.onloggingmessage = ({ data }) => log(`App log: ${JSON.stringify(data)}`);
  const initialized = new Promise<void>((resolve) => (bridge.oninitialized = () => resolve()));
  // The bridge listens before the page loads, so the App's ui/initialize is not missed.
  await bridge.connect(new PostMessageTransport(appWindow, appWindow));
  frame.srcdoc = html;
  await initialized;
  log(`App initialized: ${bridge.getAppVersion()?.name ?? 'unnamed'}`);

  await bridge.sendToolInput({ arguments: {} });
  await bridge.sendToolResult(await result);
  log('tool result sent to the App');
  window.hostState = 'ready';
}

window.hostState = 'starting';
main().catch((error: unknown) => {
  const why = error instanceof Error ? error.message : String(error);
  log(`failed: ${why}`);
  window.hostState = `failed: ${why}`;
});
