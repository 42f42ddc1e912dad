import assert from 'node:assert/strict';
import { ADMIN_TOKEN, ledgerInvariant, type HttpResult, type TestApp } from '../../helpers/app.js';

/** Shared assertions and shortcuts of the native and admin API tests. */

export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** An RFC 3339 instant `ms` from the test clock's now (UTC, with milliseconds). */
export const at = (t: TestApp, ms: number): string => new Date(t.clock.now() + ms).toISOString();
export const iso = (ms: number): string => new Date(ms).toISOString();

/** An RFC 9457 answer with this status and Relais code. */
export function assertProblem(res: HttpResult, status: number, code: string, detail?: RegExp): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, `content-type of ${res.text}`);
  assert.equal(typeof res.body, 'object', res.text);
  assert.equal(res.body.type, `https://relais.dev/errors/${code}`);
  assert.equal(typeof res.body.title, 'string');
  assert.ok(res.body.title.length > 0);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.detail, 'string');
  assert.ok(res.body.detail.length > 0);
  assert.equal(res.body.code, code);
  if (detail) assert.match(res.body.detail, detail);
}

export function assertStatus(res: HttpResult, status: number): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
}

/** POST /api/v1/messages that must succeed with 201; returns the message view. */
export async function schedule(t: TestApp, key: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<any> {
  const res = await t.request('POST', '/api/v1/messages', { key, body, headers });
  assertStatus(res, 201);
  return res.body;
}

/** A one-recipient SMS (0.045) due in `inMs`. */
export const sms = (t: TestApp, key: string, inMs = HOUR, extra: Record<string, unknown> = {}): Promise<any> =>
  schedule(t, key, { channel: 'sms', to: ['0612345678'], text: 'hello', sendAt: at(t, inMs), ...extra });

export async function balanceOf(t: TestApp, key: string): Promise<string> {
  const res = await t.request('GET', '/api/v1/account', { key });
  assertStatus(res, 200);
  return res.body.balance;
}

export async function getMessage(t: TestApp, key: string, id: number): Promise<any> {
  const res = await t.request('GET', `/api/v1/messages/${id}`, { key });
  assertStatus(res, 200);
  return res.body;
}

/** Every ledger entry, newest first, as [kind, amount, balanceAfter, messageId, cause]. */
export async function ledgerRows(t: TestApp, key: string): Promise<[string, string, string, number | null, string][]> {
  const res = await t.request('GET', '/api/v1/ledger?limit=500', { key });
  assertStatus(res, 200);
  assert.equal(res.body.nextCursor, null);
  return res.body.items.map((e: any) => [e.kind, e.amount, e.balanceAfter, e.messageId, e.cause]);
}

/** Balance equals the sum of the ledger, and (when given) the expected balance in thousandths. */
export async function assertLedger(t: TestApp, accountId: number, expected?: number): Promise<void> {
  const { balance, sum } = await ledgerInvariant(t.store, accountId);
  assert.equal(balance, sum, `account ${accountId}: balance ${balance} != ledger sum ${sum}`);
  if (expected !== undefined) assert.equal(balance, expected);
}

/** A unique valid French mobile number per call, in national format (06 + 8 digits). */
let phoneSeq = 10_000_000;
export const phone = (): string => `06${String(phoneSeq++).padStart(8, '0')}`;
export const e164 = (national: string): string => `+33${national.slice(1)}`;
