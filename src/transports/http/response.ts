import type { SendResult } from '../../core/transport.js';

/** HTTP statuses as configuration lists them: `201`, `2xx`, `408,429,5xx`. */
export type StatusSet = (status: number) => boolean;

export function parseStatusSet(variable: string, text: string): StatusSet {
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  if (parts.some((p) => !/^[1-5](\d\d|xx)$/.test(p))) throw new Error(`${variable} must list HTTP statuses such as 201 or 2xx, separated by commas (got "${text}")`);
  return (status) => parts.some((p) => p === String(status) || (p.endsWith('xx') && p[0] === String(status)[0]));
}

/** A value at a dotted path of a JSON document (`sid`, `data.id`, `messages.0.id`). */
export function atPath(doc: unknown, path: string): unknown {
  let v = doc;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** An id as a provider may write one: a non-empty string or an integer, at most 200 characters. */
export function idOf(v: unknown): string | undefined {
  const id = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
  return id && id.length <= 200 ? id : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The provider's own words for a refusal: `message` / `error` / `error.message`, and `code` / `error.code` (Twilio: `{code, message}`). */
function explain(status: number, text: string, truncated: boolean): { reason: string; providerCode: string } {
  const doc = truncated ? undefined : parseJson(text);
  const words = [atPath(doc, 'message'), atPath(doc, 'error.message'), atPath(doc, 'error')].find((w) => typeof w === 'string');
  const code = [atPath(doc, 'code'), atPath(doc, 'error.code')].map(idOf).find((c) => c !== undefined);
  const detail = typeof words === 'string' ? words : doc === undefined ? text.replace(/\s+/g, ' ').trim() : '';
  return { reason: `HTTP ${status}${detail ? `: ${detail}` : ''}`.slice(0, 500), providerCode: code ?? String(status) };
}

export interface AnswerMapping {
  accepted: StatusSet;
  retryable: StatusSet;
  /** Where the provider id is in an accepted answer's JSON. */
  idPath: string;
}

/**
 * What one answer means. Accepted: its JSON must name the provider id at `idPath`; an accepted
 * answer without one is a permanent failure (the provider may have sent it, and sending again
 * would send it twice: better refunded than doubled; the operator sees the reason). Retryable
 * statuses (by default 408, 429, 5xx) are tried again; every other status is refused for good,
 * a redirect too (none is followed: the URL is configuration, and should be the final one).
 */
export function mapAnswer(m: AnswerMapping, status: number, text: string, truncated: boolean): SendResult {
  if (m.accepted(status)) {
    const id = truncated ? undefined : idOf(atPath(parseJson(text), m.idPath));
    if (id) return { ok: true, providerId: id };
    return { ok: false, retryable: false, reason: `HTTP ${status} without a provider id at "${m.idPath}" in its JSON answer`, providerCode: String(status) };
  }
  return { ok: false, retryable: m.retryable(status), ...explain(status, text, truncated) };
}
