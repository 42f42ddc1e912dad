import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// Fastify's defaults, but unknown fields are refused (not dropped) and bodies are not coerced.
const options = { removeAdditional: false, useDefaults: true, allErrors: false } as const;
const bodies = new Ajv({ ...options, coerceTypes: false });
const text = new Ajv({ ...options, coerceTypes: 'array' });

/**
 * JSON bodies are validated as sent: a wrong type is a 400, never silently converted (credits
 * "1e3" are not 1000, a string `to` is not a list, `text: 5` is not "5"). Query strings, path
 * parameters and headers are text by nature and are still converted to their schema's types.
 */
export const strictBodyValidator: FastifySchemaCompiler<any> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodies : text).compile(schema as object);
