import assert from 'node:assert/strict';
import { ADMIN_TOKEN, ledgerInvariant, type HttpResult, type TestApp } from '../../../helpers/app.js';

export const BZ = '/braze';

/** Every Braze permission but users.track. */
export const ALL_BUT_TRACK = [
  'campaigns.trigger.schedule.create', 'campaigns.trigger.schedule.update', 'campaigns.trigger.schedule.delete',
  'canvas.trigger.schedule.create', 'canvas.trigger.schedule.update', 'canvas.trigger.schedule.delete',
  'messages.schedule.create', 'messages.schedule.update', 'messages.schedule.delete', 'messages.schedule_broadcasts',
  'campaigns.trigger.send', 'messages.send',
];

/** One call under /braze; `key` becomes the Bearer header. */
export const bz = (t: TestApp, method: string, path: string, opts: { body?: unknown; raw?: string; key?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> =>
  t.request(method, BZ + path, opts);

export const track = (t: TestApp, key: string, body: unknown): Promise<HttpResult> => bz(t, 'POST', '/users/track', { key, body });

/** A new account with a key of its own; `scopes` absent: every scope. */
export async function brazeAccount(t: TestApp, scopes?: string[]): Promise<{ id: number; apiKey: string }> {
  const a = await t.account('10', `bz-${Math.random().toString(36).slice(2, 8)}`);
  if (!scopes) return a;
  const r = await t.request('POST', `/admin/v1/accounts/${a.id}/keys`, { body: { scopes }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(r.status, 201, r.text);
  return { id: a.id, apiKey: r.body.apiKey };
}

/** A Braze fatal answer: exact status and envelope, and never problem+json. */
export function assertFault(r: HttpResult, status: number, message: string, errors?: unknown[]): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.body?.message, message, r.text);
  assert.ok(Array.isArray(r.body?.errors), r.text);
  if (errors) assert.deepEqual(r.body.errors, errors);
  assert.deepEqual(Object.keys(r.body).sort(), ['errors', 'message']);
}

/** The X-RateLimit-* headers: limit, remaining and reset (epoch seconds), as numbers. */
export function rate(r: HttpResult): { limit: number; remaining: number; reset: number } {
  const get = (name: string) => {
    const v = r.headers.get(name);
    assert.match(v ?? '', /^\d+$/, `${name}: ${v}`);
    return Number(v);
  };
  return { limit: get('x-ratelimit-limit'), remaining: get('x-ratelimit-remaining'), reset: get('x-ratelimit-reset') };
}

/** The users of an account as stored, by external id or alias name, with only the fields a test reads. */
export async function storedUsers(t: TestApp, accountId: number) {
  return t.store.autocommit.listUsers(accountId, { limit: 1000 });
}

/** The messages of one schedule (or send): its batch. */
export const batch = (t: TestApp, accountId: number, batchId: string) =>
  t.store.autocommit.listMessages({ accountId, batchId }, { limit: 1000 });

/** The account's balance, once checked to be the sum of its ledger. */
export async function balance(t: TestApp, accountId: number): Promise<number> {
  const l = await ledgerInvariant(t.store, accountId);
  assert.equal(l.balance, l.sum, 'balance = sum of the ledger');
  return l.balance;
}

/** 10.000 credits, as brazeAccount creates them; SMS 45 per segment, e-mail 2. */
export const START = 10_000;
export const AT = (iso: string): number => Date.parse(iso);
export const EMAIL = { app_id: 'app', from: 'Relais <noreply@example.com>', subject: 'Hello {{${first_name}}}', body: '<p>Hello</p>' };

/** Two users whose 20:00 local comes at 11:00Z (Tokyo) and 18:00Z (Paris) on 2026-06-01. */
export const TOKYO_PARIS = [
  { external_id: 'tokyo', first_name: 'Ken', phone: '+33612345601', time_zone: 'Asia/Tokyo' },
  { external_id: 'paris', first_name: 'Ada', phone: '+33612345602', time_zone: 'Europe/Paris' },
];

/** Creates or updates the account's users through /users/track. */
export async function users(t: TestApp, key: string, list: Record<string, unknown>[]): Promise<void> {
  const r = await track(t, key, { attributes: list });
  assert.equal(r.status, 201, r.text);
}
