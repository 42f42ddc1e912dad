import { nulPath } from '../../../core/content.js';
import { RelaisError } from '../../../core/errors.js';

/**
 * What a Partner request may carry, whatever its encoding (JSON, XML, form, query). The deepest
 * vendor parameter is `SMSList[i][field]`; the bounds stop bodies built to exhaust the stack or
 * the CPU (a form key nested 10 000 levels, 100 000 `list[]=` keys) long before the body limit.
 */
export const MAX_DEPTH = 32;
export const MAX_PARAMS = 10_000;
const MAX_NAME_LENGTH = 256;

/** The dialect's validation error for the top-level parameter `field`. */
const refused = (field: string, message: string): RelaisError => new RelaisError('invalid_request', message, { field });
export const tooDeep = (field: string): RelaisError => refused(field, `${field} is nested deeper than ${MAX_DEPTH} levels`);
export const tooMany = (field: string): RelaisError => refused(field, `the request has more than ${MAX_PARAMS} parameters`);

/**
 * Refuses parameters nested deeper than MAX_DEPTH, more than MAX_PARAMS values in all, names
 * longer than MAX_NAME_LENGTH, and U+0000 anywhere (core's rule), naming the top-level parameter.
 */
export function checkParams(params: Record<string, unknown>): void {
  let count = 0;
  const walk = (value: unknown, depth: number, field: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (depth > MAX_DEPTH) throw tooDeep(field);
    for (const [name, child] of Object.entries(value)) {
      if (++count > MAX_PARAMS) throw tooMany(field);
      if (name.length > MAX_NAME_LENGTH) throw refused(field, `a parameter name is longer than ${MAX_NAME_LENGTH} characters`);
      walk(child, depth + 1, depth === 0 ? name : field);
    }
  };
  walk(params, 0, 'request');
  const nul = nulPath(params);
  if (nul) throw refused(nul[0] ?? 'request', `${nul[0] ?? 'a parameter name'} must not contain NUL (U+0000) characters`);
}
