import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RelaisError } from '../../../core/errors.js';
import { MAX_DEPTH } from './limits.js';

/**
 * The Partner APIs' XML (spec/sms-partner.md §0.4): one declaration, a `<result>` root, one
 * positional `<entry>` per JSON value with the key names dropped, strings in CDATA, nested
 * values as nested entries. fast-xml-parser's builder cannot express this (it names elements
 * after keys and breaks CDATA onto lines of its own), so this small renderer does it;
 * fast-xml-parser parses XML request bodies.
 */

const NAMED = Symbol('partner.xml.named');

/** Marks an object whose children keep their key names in XML (the `user` of SMS Partner's `/me`). */
export function named<T extends object>(value: T): T {
  Object.defineProperty(value, NAMED, { value: true, enumerable: false });
  return value;
}

// XML 1.0 forbids these characters even inside CDATA.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const cdata = (s: string) => `<![CDATA[${s.replace(INVALID_XML, '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

function element(name: string, value: unknown, depth: number): string[] {
  const pad = '    '.repeat(depth);
  if (value === null || value === undefined) return [`${pad}<${name}></${name}>`];
  if (typeof value === 'boolean' || typeof value === 'number') return [`${pad}<${name}>${value}</${name}>`];
  if (typeof value === 'string') return [`${pad}<${name}>${cdata(value)}</${name}>`];
  const keepNames = !Array.isArray(value) && (value as Record<symbol, unknown>)[NAMED] === true;
  const children = Array.isArray(value)
    ? value.map((v) => ['entry', v] as const)
    : Object.entries(value as object).map(([k, v]) => [keepNames ? k : 'entry', v] as const);
  if (children.length === 0) return [`${pad}<${name}></${name}>`];
  return [`${pad}<${name}>`, ...children.flatMap(([n, v]) => element(n, v, depth + 1)), `${pad}</${name}>`];
}

export function renderXml(body: Record<string, unknown>): string {
  const lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<result>'];
  for (const value of Object.values(body)) lines.push(...element('entry', value, 1));
  lines.push('</result>');
  return `${lines.join('\n')}\n`;
}

// maxNestedTags counts the elements above the innermost one: the root plus MAX_DEPTH levels of parameters.
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, maxNestedTags: MAX_DEPTH });

/** `<entry>`/`<item>` children are a list; other children are named parameters. */
function flatten(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(flatten);
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'entry' || keys[0] === 'item')) {
    const list = (value as Record<string, unknown>)[keys[0]];
    return (Array.isArray(list) ? list : [list]).map(flatten);
  }
  return Object.fromEntries(keys.map((k) => [k, flatten((value as Record<string, unknown>)[k])]));
}

/**
 * Parameters from an XML body `<anyRoot><apiKey>…</apiKey>…</anyRoot>`; undefined when the text
 * is not well-formed XML. Nesting beyond MAX_DEPTH and element names the parser refuses
 * (`__proto__`) are the dialect's validation error.
 */
export function parseXmlParams(text: string): Record<string, unknown> | undefined {
  // No parameter needs a DTD, and entity definitions are how XML bodies blow up (billion laughs).
  if (/<!(DOCTYPE|ENTITY)/i.test(text) || XMLValidator.validate(text) !== true) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    // Well-formed, yet refused by the parser: nesting beyond MAX_DEPTH, a reserved name.
    throw new RelaisError('invalid_request', `XML body refused (at most ${MAX_DEPTH} levels, no reserved names): ${(err as Error).message}`, { field: 'request' });
  }
  const root = Object.keys(doc).find((k) => !k.startsWith('?'));
  const value = root === undefined ? undefined : flatten(doc[root]);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
