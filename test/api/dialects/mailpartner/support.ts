import assert from 'node:assert/strict';
import { simpleParser, type AddressObject } from 'mailparser';
import type { HttpResult, TestApp } from '../../../helpers/app.js';
import { partnerClient, schedule, scheduleParams, type Params } from '../partner/http.js';

export {
  assertError, assertLedger, assertXml, DAY, HOUR, MIN, parisTimestamp, rawHttp, schedule, scheduleParams, setProfile, xmlError, xmlOf, ZONE,
} from '../partner/http.js';

/** Shared helpers of the Mail Partner dialect tests (the Partner family's are in ../partner/http.ts). */

export const MP = '/mailpartner/v1';

export const { get, post, postRaw } = partnerClient(MP);

/** RELAIS_PRICE_EMAIL's default, in thousandths: one mail to one recipient. */
export const MAIL = 2;

/** The frame's answers to a missing and a wrong key, on every endpoint (spec §0, seed 004). */
export const NO_KEY = [400, 1, 'La Clé API est requise'] as const;
export const BAD_KEY = [401, 10, 'Clé API incorrecte'] as const;

export async function account(t: TestApp, credits = '10'): Promise<{ id: number; apiKey: string }> {
  return t.account(credits, `mp-${Math.random().toString(36).slice(2, 8)}`);
}

/** A new address on every call. */
let seq = 0;
export const email = (name = 'user'): string => `${name}.${++seq}@example.com`;

/** The smallest valid send: a sender, a subject, an HTML body and these recipients (addresses or `{email, name}`). */
export function mailBody(apiKey: string, to: (string | { email: string; name?: string })[], extra: Params = {}): Params {
  return {
    apiKey, from: { email: 'shop@example.com', name: 'Shop' }, subject: 'Bonjour', htmlContent: '<p>Bonjour</p>',
    params: { to: to.map((x) => (typeof x === 'string' ? { email: x } : x)) }, ...extra,
  };
}

export const send = (t: TestApp, apiKey: string, to: (string | { email: string; name?: string })[], extra: Params = {}): Promise<HttpResult> =>
  post(t, '/send', mailBody(apiKey, to, extra));

/** A mail scheduled `inMs` ahead (on the 5-minute grid) to `to`; its id (the answer's string) and due instant. */
export async function scheduled(t: TestApp, apiKey: string, to: string[] = [email()], inMs = 3_600_000): Promise<{ id: string; at: number }> {
  const s = schedule(t, inMs);
  const r = await send(t, apiKey, to, scheduleParams(s));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.success, true, r.text);
  return { id: r.body.messageId, at: s.at };
}

/** What one recipient was sent, as the test reads it; from and replyTo as {email, name}. */
export interface SentMail {
  address: string;
  from: { email: string; name: string | null } | null;
  replyTo: { email: string; name: string | null } | null;
  subject: string;
  html: string;
  text: string | null;
}

const parsedMailbox = (a: AddressObject | AddressObject[] | undefined): SentMail['from'] => {
  const first = [a ?? []].flat()[0]?.value[0];
  return first?.address ? { email: first.address, name: first.name || null } : null;
};

/**
 * One outbox entry as its recipient gets it: from the full MIME message the outbox composes for
 * one entry (each recipient's own links filled in).
 */
async function asSent(t: TestApp, apiKey: string, e: any): Promise<SentMail> {
  const r = await t.request('GET', `/api/v1/outbox/${e.id}/mime`, { key: apiKey });
  assert.equal(r.status, 200, r.text);
  const p = await simpleParser(r.text);
  return { address: e.address, from: parsedMailbox(p.from), replyTo: parsedMailbox(p.replyTo), subject: p.subject ?? '', html: p.html || '', text: p.text ?? null };
}

/**
 * What the outbox holds for one mail, one row per recipient in recipient order, read through the
 * native outbox API with a key of the same account. The one place that knows the outbox's
 * e-mail fields: adapt it here.
 */
export async function sentMails(t: TestApp, apiKey: string, messageId: string): Promise<SentMail[]> {
  const r = await t.request('GET', `/api/v1/outbox?messageId=${messageId}&limit=100`, { key: apiKey });
  assert.equal(r.status, 200, r.text);
  return Promise.all([...r.body.items].sort((a: any, b: any) => a.recipientId - b.recipientId).map((e: any) => asSent(t, apiKey, e)));
}

/** The native API's view of the account's unsubscribe list (its e-mail suppressions). */
export async function suppressedEmails(t: TestApp, apiKey: string): Promise<string[]> {
  const r = await t.request('GET', '/api/v1/suppressions?channel=email', { key: apiKey });
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((s: { address: string }) => s.address);
}

/** A message's recipients' statuses as core stored them. */
export async function recipientStatuses(t: TestApp, messageId: string): Promise<[string, string][]> {
  return (await t.store.autocommit.getRecipients(Number(messageId))).map((r) => [r.address, r.status]);
}
