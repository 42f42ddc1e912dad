import type { StatusCallbackReading, StatusCallbackRequest } from '../../core/provider-callbacks.js';
import type { Receipt } from '../../core/transport.js';
import { atPath, idOf } from './response.js';

/** Where a provider's callback says what (each a list of alternatives, the first present wins) and what its statuses mean. */
export interface CallbackMapping {
  idFields: readonly string[];
  statusFields: readonly string[];
  /** Lower-case statuses that mean delivered (`delivered`, a call's `completed`)… */
  delivered: ReadonlySet<string>;
  /** …and undelivered (`undelivered`, `failed`, `busy`, `no-answer`); any other is intermediate. */
  undelivered: ReadonlySet<string>;
  codeFields: readonly string[];
  reasonFields: readonly string[];
  /** When it happened: an ISO 8601 instant or milliseconds since the epoch; absent: when Relais hears of it. */
  atFields: readonly string[];
}

/** One callback may report this many statuses (a JSON array); more is a bad body. */
const MAX_EVENTS = 100;

type Lookup = (field: string) => unknown;

const first = (lookup: Lookup, fields: readonly string[]): unknown => fields.map(lookup).find((v) => v !== undefined && v !== null && v !== '');

function receiptOf(m: CallbackMapping, lookup: Lookup): Receipt | { invalid: string } | undefined {
  const providerId = idOf(first(lookup, m.idFields));
  const status = first(lookup, m.statusFields);
  if (!providerId) return { invalid: `no provider id (${m.idFields.join(' or ')})` };
  if (typeof status !== 'string' || status.length > 100) return { invalid: `no status (${m.statusFields.join(' or ')})` };
  const s = status.trim().toLowerCase();
  const when = first(lookup, m.atFields);
  const at = when === undefined ? undefined : typeof when === 'number' ? when : typeof when === 'string' ? Date.parse(when) : NaN;
  if (at !== undefined && !Number.isSafeInteger(at)) return { invalid: `${m.atFields.join(' or ')} must be an ISO 8601 instant or milliseconds since the epoch` };
  const timed = at === undefined ? {} : { at };
  if (m.delivered.has(s)) return { providerId, status: 'delivered', ...timed };
  if (!m.undelivered.has(s)) return undefined;
  const reason = first(lookup, m.reasonFields);
  const code = idOf(first(lookup, m.codeFields));
  return { providerId, status: 'undelivered', reason: typeof reason === 'string' ? reason.slice(0, 500) : s, ...(code ? { providerCode: code } : {}), ...timed };
}

function lookups(request: StatusCallbackRequest): Lookup[] | { invalid: string } {
  const type = request.contentType.split(';')[0].trim().toLowerCase();
  const text = request.body.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text);
    return [(field) => form.get(field) ?? undefined];
  }
  if (type !== 'application/json' && !type.endsWith('+json')) return { invalid: 'the body must be JSON or a form (application/x-www-form-urlencoded)' };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { invalid: 'the body is not JSON' };
  }
  const events = Array.isArray(doc) ? doc : [doc];
  if (events.length === 0 || events.length > MAX_EVENTS) return { invalid: `a JSON array must hold 1 to ${MAX_EVENTS} statuses` };
  return events.map((e): Lookup => (field) => atPath(e, field));
}

/** Reads a provider's callback, a form (Twilio) or JSON (one object or an array of them), into receipts. */
export function readStatusCallback(m: CallbackMapping, request: StatusCallbackRequest): StatusCallbackReading {
  const found = lookups(request);
  if (!Array.isArray(found)) return found;
  const receipts: Receipt[] = [];
  for (const lookup of found) {
    const r = receiptOf(m, lookup);
    if (r && 'invalid' in r) return r;
    if (r) receipts.push(r);
  }
  return { receipts };
}
