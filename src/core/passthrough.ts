import type { Result } from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { z } from 'zod';

// What passes through is passed on as it is: the switchboard is transparent, and a schema parse per
// message would cost time and strip nothing the client should not see. These two tell the SDK so.

/** A result "schema" that takes any result untouched (the SDK's `request` wants one). */
export const passthroughResult = z.custom<Result>(() => true);

/**
 * A JSON Schema validator that accepts everything. The SDK builds an Ajv
 * instance per Client and Server to validate tool outputs and elicitation
 * answers; a transparent proxy validates neither (the client at the far end
 * does), and at a hundred backends those instances cost real memory and startup.
 */
export const acceptEverything: jsonSchemaValidator = {
  getValidator: () => (input) => ({ valid: true, data: input as never, errorMessage: undefined }),
};
