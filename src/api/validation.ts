import { Ajv } from 'ajv';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { nulPath } from '../core/content.js';

// Fastify's defaults, but unknown fields are refused (not dropped) and bodies are not coerced.
const options = { removeAdditional: false, useDefaults: true, allErrors: false } as const;
const bodies = new Ajv({ ...options, coerceTypes: false });
const text = new Ajv({ ...options, coerceTypes: 'array' });

type Validate = ReturnType<FastifySchemaCompiler<unknown>>;

/** U+0000 anywhere in a body, query or path is refused before the schema runs, naming the field (see nulPath). */
function refusingNul(validate: Validate): Validate {
  const check: Validate = (data: unknown) => {
    const path = nulPath(data);
    if (path) {
      // The first levels name the field well enough; a path thousands of levels deep would be the answer's bulk.
      const instancePath = path.slice(0, 8).map((p) => `/${p}`).join('');
      check.errors = [{ instancePath, message: 'must not contain NUL (U+0000) characters', keyword: 'nul', params: {}, schemaPath: '' } as FastifySchemaValidationError];
      return false;
    }
    const ok = validate(data);
    check.errors = validate.errors;
    return ok;
  };
  return check;
}

/**
 * JSON bodies are validated as sent: a wrong type is a 400, never silently converted (credits
 * "1e3" are not 1000, a string `to` is not a list, `text: 5` is not "5"). Query strings, path
 * parameters and headers are text by nature and are still converted to their schema's types.
 */
export const strictBodyValidator: FastifySchemaCompiler<any> = ({ schema, httpPart }) =>
  refusingNul((httpPart === 'body' ? bodies : text).compile(schema as object));
