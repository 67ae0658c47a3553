/**
 * Search mode on real catalogs: the five reference servers from npm behind a
 * stdio front in search mode (69 tools). How big its tools/list is, and how
 * well search_tools ranks, on a labeled set of requests written by hand
 * (bench/data/searchQueries.json): recall@1 (the expected tool first) and
 * recall@5 (among the first five). A figure, not a pass/fail: the set is small
 * and ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import { CLI, ROOT } from '../lib/processes';
import type { Line } from '../lib/report';

const SECTION = 'search mode on five real catalogs (69 tools)';
const LIST_BUDGET_BYTES = 4096;

interface Labeled {
  readonly query: string;
  readonly expected: readonly string[];
}

export async function measureSearch(context: BenchContext): Promise<Line[]> {
  const { processes } = context;
  const label = processes.label('search');
  const folder = processes.folderFor(label);
  const server = (name: string) => join(ROOT, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');
  const registry = processes.writeRegistry(label, {
    everything: { command: process.execPath, args: [server('server-everything'), 'stdio'] },
    filesystem: { command: process.execPath, args: [server('server-filesystem'), folder] },
    memory: { command: process.execPath, args: [server('server-memory')], env: { MEMORY_FILE_PATH: join(folder, 'memory.jsonl') } },
    thinking: { command: process.execPath, args: [server('server-sequential-thinking')] },
    github: { command: process.execPath, args: [server('server-github')], env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'dummy-token-for-listing' } },
  });
  const labeled = (JSON.parse(readFileSync(join(ROOT, 'bench', 'data', 'searchQueries.json'), 'utf8')) as { queries: Labeled[] }).queries;
  try {
    const endpoint = await processes.stdioClient(label, process.execPath, [...context.switchboardNodeArgs, CLI, '--stdio', '--surface', 'search', '--config', registry]);
    const listBytes = Buffer.byteLength(JSON.stringify(await endpoint.client.listTools()));
    let first = 0;
    let topFive = 0;
    const misses: string[] = [];
    for (const { query, expected } of labeled) {
      const result = await endpoint.client.callTool({ name: 'search_tools', arguments: { query, limit: 5 } });
      const names = ((result.structuredContent as { tools?: { name: string }[] } | undefined)?.tools ?? []).map((tool) => tool.name);
      if (expected.includes(names[0] ?? '')) first++;
      if (names.some((name) => expected.includes(name))) topFive++;
      else misses.push(`${query} → ${names.slice(0, 3).join(', ')}`);
    }
    const count = labeled.length;
    return [
      {
        section: SECTION,
        name: 'tools/list in search mode (no pins)',
        direct: '—',
        switchboard: `${listBytes.toLocaleString('en-US')} bytes`,
        comparison: '—',
        target: `≤ ${LIST_BUDGET_BYTES.toLocaleString('en-US')} bytes`,
        verdict: listBytes <= LIST_BUDGET_BYTES ? 'PASS' : 'MISS',
        data: { listBytes },
      },
      {
        section: SECTION,
        name: `search_tools on ${count} labeled requests: recall@1 · recall@5`,
        direct: '—',
        switchboard: `${Math.round((100 * first) / count)} % · ${Math.round((100 * topFive) / count)} %`,
        comparison: '—',
        target: '—',
        verdict: 'info',
        data: { queries: count, recallAt1: first / count, recallAt5: topFive / count, missedInTopFive: misses },
      },
    ];
  } finally {
    await processes.closeGroup(label);
  }
}
