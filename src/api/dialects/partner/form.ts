/**
 * `application/x-www-form-urlencoded` (and query strings) the way PHP reads them: bracket keys
 * build nested values (`SMSList[0][phoneNumber]=…`, `parameters[email]=…`, `list[]=…`), and
 * leading `?` characters are dropped from names, because the vendor's PHP example requests
 * `me??apiKey=…` and the vendor reads the key anyway.
 */

import { MAX_DEPTH, MAX_PARAMS, tooDeep, tooMany } from './limits.js';

type Node = Record<string, unknown>;

// Keys that would reach Object.prototype through a bracket path.
const UNSAFE = new Set(['__proto__', 'prototype', 'constructor']);

function assign(target: Node, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    let key = path[i]!;
    if (key === '') key = String(Object.keys(node).length);
    if (UNSAFE.has(key)) return;
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Node;
  }
}

/** Objects whose keys are exactly 0..n-1 become arrays, as PHP lists do in JSON. */
function arrayify(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const node = value as Node;
  for (const k of Object.keys(node)) node[k] = arrayify(node[k]);
  const keys = Object.keys(node);
  return keys.length > 0 && keys.every((k, i) => k === String(i)) ? keys.map((k) => node[k]) : node;
}

/** Bounded while parsing (limits.ts): a deep key or a flood of `list[]` keys is refused before it is built. */
export function parseForm(text: string): Record<string, unknown> {
  const out: Node = {};
  let count = 0;
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const key = rawKey.replace(/^\?+/, '');
    if (!key) continue;
    const m = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
    const path = m ? [m[1]!, ...[...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)] : [key];
    if (path.length - 1 > MAX_DEPTH) throw tooDeep(path[0]!);
    if (++count > MAX_PARAMS) throw tooMany(path[0]!);
    // The first value wins for a repeated plain key, as body-before-query lookups expect.
    if (!m && key in out) continue;
    assign(out, path, value);
  }
  return arrayify(out) as Record<string, unknown>;
}

/** The query string of a raw URL (everything after the first `?`), parsed as a form. */
export function parseQuery(url: string): Record<string, unknown> {
  const at = url.indexOf('?');
  return at < 0 ? {} : parseForm(url.slice(at + 1));
}
