import type { Backend } from '../backends/backend';
import type { ProxyMount } from '../registry/registry';
import { compileGlobs, compileToolFilter } from './toolFilter';

/**
 * What one view (one Switchboard) shows of a proxy: the mount it applied,
 * whose prefix, overrides and tool filters are that view's own, with the
 * filters compiled. A backend that views share reaches its server once; each
 * view shows it as its own entry says.
 */
export interface ProxyView {
  readonly mount: ProxyMount;
  /** Whether one of the backend's own tool names is shown, from `tools.include/exclude`. */
  readonly isToolShown: (toolName: string) => boolean;
  /** Whether one of its tools is pinned (`tools.pin`): listed in search mode too. */
  readonly isToolPinned: (toolName: string) => boolean;
}

export function proxyViewOf(mount: ProxyMount): ProxyView {
  return { mount, isToolShown: compileToolFilter(mount.entry.tools), isToolPinned: compileGlobs(mount.entry.tools?.pin) };
}

/** A connected backend as a view shows it. */
export interface ViewedBackend {
  readonly backend: Backend;
  readonly view: ProxyView;
}
