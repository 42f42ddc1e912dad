import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';

// Fastify's defaults, but unknown fields are refused (not dropped) and bodies are not coerced.
const options = { removeAdditional: false, useDefaults: true, allErrors: false } as const;
const bodies = new Ajv({ ...options, coerceTypes: false });
const text = new Ajv({ ...options, coerceTypes: 'array' });

/** A row id: ids are 64-bit in both databases, and numbers stay exact up to 2^53 − 1. */
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/**
 * JSON bodies are validated as sent: a wrong type is a 400, never silently converted (credits
 * "1e3" are not 1000, a string `to` is not a list, `text: 5` is not "5"). Query strings, path
 * parameters and headers are text by nature and are still converted to their schema's types.
 */
export const strictBodyValidator: FastifySchemaCompiler<any> = ({ schema, httpPart }) =>
  httpPart === 'body' ? bodies.compile(schema as object) : finiteOnly(text.compile(schema as object));

/**
 * Ajv turns "Infinity" or a 400-digit number into ±Infinity, then skips `minimum`/`maximum`
 * (they only test finite numbers): `limit=Infinity` reached the database. A converted value
 * that is not a finite number is refused here.
 */
function finiteOnly(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown, ctx?: Parameters<ValidateFunction>[1]) => {
    const ok = validate(data, ctx);
    const path = ok ? nonFinitePath(data) : undefined;
    checked.errors = ok
      ? path === undefined ? null : [{ instancePath: path, schemaPath: '#', keyword: 'finite', params: {}, message: 'must be a finite number' } satisfies ErrorObject]
      : validate.errors;
    return ok && path === undefined;
  }) as ValidateFunction;
  // Fastify passes the parent object (so that coercion can replace a whole part) only to Ajv functions.
  Object.assign(checked, { schema: validate.schema, schemaEnv: validate.schemaEnv });
  return checked;
}

/** Query strings and path parameters are flat: one level of properties, maybe lists of values. */
function nonFinitePath(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  for (const [k, v] of Object.entries(data)) {
    const values: unknown[] = Array.isArray(v) ? v : [v];
    const i = values.findIndex((x) => typeof x === 'number' && !Number.isFinite(x));
    if (i >= 0) return Array.isArray(v) ? `/${k}/${i}` : `/${k}`;
  }
  return undefined;
}
