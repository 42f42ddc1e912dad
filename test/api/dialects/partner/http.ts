import assert from 'node:assert/strict';
import { instantToLocal } from '../../../../src/core/local-time.js';
import { ADMIN_TOKEN, ledgerInvariant, type HttpResult, type TestApp } from '../../../helpers/app.js';

/** What every Partner dialect's tests share: requests under a prefix, vendor answers (JSON, XML), Paris wall time, the ledger. */

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const ZONE = 'Europe/Paris';

export type Params = Record<string, unknown>;

const query = (params: Params) =>
  Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');

/** A dialect's requests under its prefix: GET with a query string, POST with a JSON body or a raw one. */
export function partnerClient(prefix: string) {
  return {
    get: (t: TestApp, path: string, params: Params = {}): Promise<HttpResult> =>
      t.request('GET', `${prefix}${path}${Object.keys(params).length ? `?${query(params)}` : ''}`),
    post: (t: TestApp, path: string, body: Params, headers?: Record<string, string>): Promise<HttpResult> =>
      t.request('POST', `${prefix}${path}`, { body, headers }),
    postRaw: (t: TestApp, path: string, raw: string, contentType?: string): Promise<HttpResult> =>
      t.request('POST', `${prefix}${path}`, { raw, headers: contentType ? { 'content-type': contentType } : {} }),
  };
}

/** Admin settings the vendor API cannot change (login e-mail, sub-accounts on). */
export async function setProfile(t: TestApp, id: number, body: Params): Promise<void> {
  const r = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(r.status, 200, r.text);
}

/** The vendor's schedule fields for the first 5-minute grid instant at least `ms` from the test clock. */
export function schedule(t: TestApp, ms: number): { scheduledDeliveryDate: string; time: number; minute: number; at: number } {
  const step = 5 * MIN;
  const at = Math.ceil((t.clock.now() + ms) / step) * step;
  const l = instantToLocal(at, ZONE);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { scheduledDeliveryDate: `${pad(l.day)}/${pad(l.month)}/${l.year}`, time: l.hour, minute: l.minute, at };
}

export const scheduleParams = (s: ReturnType<typeof schedule>) => ({ scheduledDeliveryDate: s.scheduledDeliveryDate, time: s.time, minute: s.minute });

/** `YYYY-MM-DD HH:MM:SS` in Paris. */
export function parisTimestamp(ms: number): string {
  const l = instantToLocal(ms, ZONE);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hour)}:${p(l.minute)}:${p(l.second)}`;
}

/** Balance equals the ledger's sum, and equals `expected` thousandths. */
export async function assertLedger(t: TestApp, accountId: number, expected: number): Promise<void> {
  const { balance: b, sum } = await ledgerInvariant(t.store, accountId);
  assert.equal(b, sum, `account ${accountId}: balance ${b} != ledger sum ${sum}`);
  assert.equal(b, expected, `account ${accountId}: balance`);
}

/** A vendor error: HTTP status, exact body, JSON content type. */
export function assertError(r: HttpResult, status: number, code: number, message: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.text, JSON.stringify({ success: false, code, message }));
}

/** The XML rendering of a simple error, exactly. */
export const xmlError = (code: number, message: string): string =>
  `<?xml version='1.0' encoding='UTF-8'?>\n<result>\n    <entry>false</entry>\n    <entry>${code}</entry>\n    <entry><![CDATA[${message}]]></entry>\n</result>\n`;

export function assertXml(r: HttpResult, status: number, text: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/xml/);
  assert.equal(r.text, text);
}

/** Builds the XML of a body by the vendor's positional rule (test-side reference renderer). */
export function xmlOf(body: unknown): string {
  const cd = (s: string) => `<![CDATA[${s}]]>`;
  const el = (v: unknown, depth: number): string[] => {
    const pad = '    '.repeat(depth);
    if (typeof v === 'string') return [`${pad}<entry>${cd(v)}</entry>`];
    if (typeof v === 'number' || typeof v === 'boolean') return [`${pad}<entry>${v}</entry>`];
    const values = Array.isArray(v) ? v : Object.values(v as object);
    if (!values.length) return [`${pad}<entry></entry>`];
    return [`${pad}<entry>`, ...values.flatMap((x) => el(x, depth + 1)), `${pad}</entry>`];
  };
  return ["<?xml version='1.0' encoding='UTF-8'?>", '<result>', ...Object.values(body as object).flatMap((v) => el(v, 1)), '</result>', ''].join('\n');
}

/** A request through node:http, for what fetch will not send (a Host header, a GET body). */
export async function rawHttp(t: TestApp, method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<HttpResult> {
  const { request } = await import('node:http');
  const u = new URL(t.url);
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers, ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}) };
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, text, body });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
