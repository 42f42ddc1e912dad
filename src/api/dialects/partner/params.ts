import type { FastifyRequest } from 'fastify';
import { RelaisError } from '../../../core/errors.js';
import type { Auth } from '../../auth.js';
import { parseForm, parseQuery } from './form.js';
import { readMultipart, type UploadedFile } from './multipart.js';
import { checkParams } from './limits.js';
import { parseXmlParams } from './xml.js';

export type Format = 'json' | 'xml';

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';
const INTEGER = /^\s*[-+]?\d{1,15}\s*$/;
const DECIMAL = /^\s*[-+]?(\d{1,12}(\.\d*)?|\.\d+)\s*$/;

/**
 * The parameters of a Partner request, read the way the vendor's clients send them: the body
 * first (JSON whatever its Content-Type says, else a form, else XML), then the query string
 * (also on POST); the first non-empty value wins. Numbers and flags come as numbers or strings.
 */
export class Params {
  constructor(
    readonly body: Record<string, unknown>,
    readonly query: Record<string, unknown>,
    /** What the query's `apiKey` authenticated as before the body was read (scope.ts). */
    private readonly queryAuth: Auth | null = null,
    /** The key a route reads from its path (`/me/{apiKey}`, RouteOptions.keyParam): it wins over the body and query. */
    private readonly pathKey?: string,
    /** The files of a multipart body (Voice Partner's upload); none otherwise. */
    readonly files: readonly UploadedFile[] = [],
  ) {}

  /** The `apiKey` parameter. */
  apiKey(): string | undefined {
    return this.pathKey?.trim() || this.str('apiKey')?.trim() || undefined;
  }

  /** The key already authenticated, when `apiKey` is the query's (neither the path nor the body names one). */
  knownAuth(): Auth | null {
    return this.pathKey?.trim() || !isEmpty(this.body.apiKey) ? null : this.queryAuth;
  }

  get(name: string): unknown {
    const b = this.body[name];
    return isEmpty(b) ? (isEmpty(this.query[name]) ? undefined : this.query[name]) : b;
  }

  /** Present as text (numbers and booleans are written out); objects are not text. */
  str(name: string): string | undefined {
    const v = this.get(name);
    if (typeof v === 'string') return v.trim() === '' ? undefined : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  /**
   * A phone number parameter. An unescaped `+` in a query string arrives as a space (the Go
   * SDK builds `…&phoneNumber=+336…` unescaped): a value that is a space and digits gets it back.
   */
  phone(name: string): string | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : restorePlus(v);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** undefined when absent, NaN when present but not an integer. */
  int(name: string): number | undefined {
    return toInt(this.get(name));
  }

  /** `1`, `"1"`, `true`, `"true"` are on; anything else (or absent) is off. */
  flag(name: string): boolean {
    return toFlag(this.get(name));
  }

  /** A list: a JSON array, PHP-style `name[0]…` keys, or a JSON-encoded string. */
  list(name: string): unknown[] | undefined {
    const v = this.get(name);
    if (Array.isArray(v)) return v;
    if (typeof v === 'string' && v.trim().startsWith('[')) {
      const parsed = jsonParam(name, v);
      return Array.isArray(parsed) ? parsed : undefined;
    }
    if (typeof v === 'object' && v !== null) return Object.values(v);
    return undefined;
  }

  /** An object parameter: a JSON object, PHP-style `name[key]=…` keys, or a JSON-encoded string. */
  object(name: string): Record<string, unknown> | undefined {
    const v = this.get(name);
    if (typeof v === 'string' && v.trim().startsWith('{')) {
      const parsed = jsonParam(name, v);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    }
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  }

  format(): Format {
    return formatOf(this.get('_format'));
  }
}

/** A JSON-encoded parameter, held to the bounds of a body once decoded (an escaped NUL becomes U+0000 only here); undefined when not JSON. */
function jsonParam(name: string, text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  checkParams({ [name]: parsed });
  return parsed;
}

export const formatOf = (v: unknown): Format => (typeof v === 'string' && v.trim().toLowerCase() === 'xml' ? 'xml' : 'json');

export function toInt(v: unknown): number | undefined {
  if (isEmpty(v)) return undefined;
  if (typeof v === 'number') return Number.isInteger(v) ? v : NaN;
  if (typeof v === 'string' && INTEGER.test(v)) return Number(v);
  return NaN;
}

/** A decimal amount as the vendors send it (`10`, `"10"`, `"2.5"`); undefined when absent, NaN when not a number. */
export function toDecimal(v: unknown): number | undefined {
  if (isEmpty(v)) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return NaN;
}

export function toFlag(v: unknown): boolean {
  if (v === true || v === 1) return true;
  return typeof v === 'string' && ['1', 'true'].includes(v.trim().toLowerCase());
}

/** Fastify does not read GET bodies; a Partner client may still send one (multi-status). */
async function readUnparsedBody(request: FastifyRequest): Promise<string | undefined> {
  const length = Number(request.headers['content-length'] ?? 0);
  if (!(length > 0) && !request.headers['transfer-encoding']) return undefined;
  const limit = request.routeOptions.bodyLimit ?? 1_048_576;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RelaisError('body_too_large', 'request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Body parameters: JSON first whatever the Content-Type (the PHP client labels JSON as a form), then XML, then a form. */
export function parseBody(raw: string | undefined, contentType: string | undefined): Record<string, unknown> {
  const text = raw?.replace(/^\uFEFF/, '').trim() ?? '';
  if (!text) return {};
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RelaisError('malformed_body', 'request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RelaisError('malformed_body', 'request body must be a JSON object');
    return parsed as Record<string, unknown>;
  }
  if (text.startsWith('<') || /xml/i.test(contentType ?? '')) {
    const xml = parseXmlParams(text);
    if (!xml) throw new RelaisError('malformed_body', 'request body is not well-formed XML');
    return xml;
  }
  return parseForm(text);
}

/**
 * Body and query parameters, checked against the bounds and characters every Partner API refuses
 * (limits.ts); `pathKey` is the key a route takes from its path. A multipart body, in a scope
 * that registered @fastify/multipart (Voice Partner's upload), gives its text fields and files.
 */
export async function readParams(request: FastifyRequest, pathKey?: string): Promise<Params> {
  const query = parseQuery(request.url);
  checkParams(query);
  const multipart = request.isMultipart?.() ? await readMultipart(request) : undefined;
  const body = multipart?.fields ?? parseBody(await rawBody(request), request.headers['content-type']);
  checkParams(body);
  return new Params(body, query, request.auth, pathKey, multipart?.files);
}

async function rawBody(request: FastifyRequest): Promise<string | undefined> {
  if (typeof request.body === 'string') return request.body;
  return request.body === undefined ? readUnparsedBody(request) : undefined;
}

/** The `apiKey` of the query string alone: what can be checked before the body is read. */
export const queryKey = (request: FastifyRequest): string | undefined => new Params({}, parseQuery(request.url)).apiKey();

/**
 * `_format` from the query string alone: what an error before the body is read is rendered in.
 * Never throws, as the error handler calls it: a query refused by the bounds is answered in JSON.
 */
export function queryFormat(request: FastifyRequest): Format {
  try {
    return formatOf(parseQuery(request.url)._format);
  } catch {
    return 'json';
  }
}

/** ` 33612345678` (a `+` decoded as a space) → `+33612345678`; anything else unchanged but trimmed. */
export const restorePlus = (value: string): string => {
  const m = /^ +([1-9][\d ]*)$/.exec(value);
  return m ? `+${m[1]!.trim()}` : value.trim();
};
