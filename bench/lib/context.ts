/**
 * What every section of the benchmark gets: the process keeper, the sizes of
 * this run (full or --quick), and the helpers that talk MCP to a client.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { sleep } from './measure';
import type { Processes } from './processes';

export interface Sizes {
  /** tools/call: rounds × calls per round, per side (2,000 in a full run). */
  readonly sequentialRounds: number;
  readonly sequentialPerRound: number;
  /** tools/call at 16 in flight: rounds × milliseconds per round, per side. */
  readonly throughputRounds: number;
  readonly throughputRoundMs: number;
  readonly warmupCalls: number;
  /** Startup: how many backends per line, and how often each side is started. */
  readonly startupBackends: readonly number[];
  readonly startupRounds: number;
  /** Scale: backends × tools each, and the tools/list rounds. */
  readonly scaleBackends: number;
  readonly scaleToolsEach: number;
  readonly scaleRounds: number;
  readonly scaleListsPerRound: number;
  /** Large payloads: bytes of the result, rounds × calls per round. */
  readonly payloadBytes: number;
  readonly payloadRounds: number;
  readonly payloadPerRound: number;
}

export const FULL: Sizes = {
  sequentialRounds: 10,
  sequentialPerRound: 200,
  throughputRounds: 5,
  throughputRoundMs: 1_500,
  warmupCalls: 300,
  startupBackends: [1, 20, 50],
  startupRounds: 3,
  scaleBackends: 100,
  scaleToolsEach: 50,
  scaleRounds: 5,
  scaleListsPerRound: 10,
  payloadBytes: 1_000_000,
  payloadRounds: 5,
  payloadPerRound: 6,
};

export const QUICK: Sizes = {
  sequentialRounds: 2,
  sequentialPerRound: 100,
  throughputRounds: 2,
  throughputRoundMs: 500,
  warmupCalls: 50,
  startupBackends: [1, 5],
  startupRounds: 1,
  scaleBackends: 10,
  scaleToolsEach: 50,
  scaleRounds: 2,
  scaleListsPerRound: 5,
  payloadBytes: 1_000_000,
  payloadRounds: 2,
  payloadPerRound: 3,
};

export interface BenchContext {
  readonly processes: Processes;
  readonly sizes: Sizes;
  /** Node flags for every switchboard process (e.g. --cpu-prof). */
  readonly switchboardNodeArgs: readonly string[];
  /** performance.now() after which loops stop early. */
  readonly deadline: number;
}

/** Every tool a client sees, following pagination cursors. */
export async function listAllTools(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (cursor === undefined) break;
  }
  return tools;
}

/** Waits until the client lists every name in `names`; fails after `timeoutMs`. */
export async function waitForTools(client: Client, names: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let missing: string[] = [...names];
  while (performance.now() < deadline) {
    const listed = new Set((await listAllTools(client)).map((tool) => tool.name));
    missing = names.filter((name) => !listed.has(name));
    if (missing.length === 0) return;
    await sleep(50);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${missing.length} tools, e.g. ${missing.slice(0, 3).join(', ')}`);
}

/** The text of a tool result's content, joined. */
export function resultText(result: unknown): string {
  const content = (result as { content?: readonly { type?: string; text?: string }[] }).content ?? [];
  return content.map((item) => item.text ?? '').join('');
}
