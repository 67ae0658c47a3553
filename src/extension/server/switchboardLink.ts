import type * as vscode from 'vscode';
import type { ToExtensionMessage, ToServerMessage } from '../../core/ipc';

/** Where this window's switchboard is in its life, as the tree and the status bar show it. */
export type ServerPhase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting' }
  | { readonly kind: 'running'; readonly url: string }
  | { readonly kind: 'restarting'; readonly reason: string; readonly inMs: number }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * What the rest of the extension needs of the switchboard that serves this
 * window, wherever it runs: a child process of its own (ServerSupervisor) or
 * the user's shared switchboard (SharedWindowLink). Both speak the messages
 * of core/ipc.ts.
 */
export interface SwitchboardLink extends vscode.Disposable {
  readonly onDidChangePhase: vscode.Event<ServerPhase>;
  /** Every valid message from the switchboard, `ready` included. */
  readonly onDidReceiveMessage: vscode.Event<ToExtensionMessage>;
  /** Fires when the bearer token changed (the shared switchboard's was rotated): clients need the new one. */
  readonly onDidChangeToken: vscode.Event<void>;
  readonly phase: ServerPhase;
  /**
   * The process that serves this window, if any. Answers to its requests go
   * only to the process that asked (request ids start again in a successor).
   */
  readonly processId: number | undefined;
  /** The bearer token the switchboard's HTTP front wants now: read it when it is used, it may change. */
  readonly token: string;
  /** Starts or attaches unless running, and resolves with the URL of this window's MCP endpoint. */
  ensureRunning(): Promise<string>;
  /** Stops, then starts or attaches again. */
  restart(): Promise<string>;
  /** Sends a message if the switchboard is there to get it; returns whether it was sent. */
  send(message: ToServerMessage): boolean;
  /** Lets go of the switchboard: ends a process of its own, detaches from a shared one. */
  stop(): Promise<void>;
  disposeAsync(): Promise<void>;
}
