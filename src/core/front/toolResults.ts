import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** A tool result that tells the agent why it was not done (a tool error, not a protocol error). */
export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** A tool's input or output schema from the zod schema that parses it, so the two never disagree. */
export function jsonSchemaOf(schema: z.ZodType): Tool['inputSchema'] {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
  return { ...json, type: 'object' };
}
