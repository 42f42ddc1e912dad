import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { nulPath } from '../core/content.js';

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
  wrap((httpPart === 'body' ? bodies : text).compile(schema as object), httpPart === 'body' ? [refusingNul] : [refusingNul, finiteOnly]);

type Check = (data: unknown) => ErrorObject | undefined;

/**
 * An Ajv function with checks of its own around it. What Fastify reads of an Ajv function stays:
 * it passes the parent object (so that coercion can replace a whole part) only to those.
 */
function wrap(validate: ValidateFunction, [before, after]: [Check, Check?]): ValidateFunction {
  const checked = ((data: unknown, ctx?: Parameters<ValidateFunction>[1]) => {
    const early = before(data);
    const ok = !early && validate(data, ctx);
    const late = ok && after ? after(data) : undefined;
    checked.errors = early ? [early] : late ? [late] : ok ? null : validate.errors;
    return ok && !late;
  }) as ValidateFunction;
  return Object.assign(checked, { schema: validate.schema, schemaEnv: validate.schemaEnv });
}

/** U+0000 anywhere in a body, query or path is refused before the schema runs, naming the field (see nulPath). */
const refusingNul: Check = (data) => {
  const path = nulPath(data);
  // The first levels name the field well enough; a path thousands of levels deep would be the answer's bulk.
  return path ? issue(path.slice(0, 8).map((p) => `/${p}`).join(''), 'nul', 'must not contain NUL (U+0000) characters') : undefined;
};

/**
 * Ajv turns "Infinity" or a 400-digit number into ±Infinity, then skips `minimum`/`maximum`
 * (they only test finite numbers): `limit=Infinity` reached the database. A converted value
 * that is not a finite number is refused after the schema.
 */
const finiteOnly: Check = (data) => {
  const path = nonFinitePath(data);
  return path === undefined ? undefined : issue(path, 'finite', 'must be a finite number');
};

const issue = (instancePath: string, keyword: string, message: string): ErrorObject => ({ instancePath, schemaPath: '#', keyword, params: {}, message });

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
