import assert from 'node:assert/strict';
import type { TestApp } from '../../../helpers/app.js';
import { partnerClient } from '../partner/http.js';

export {
  assertError, assertLedger, assertXml, DAY, HOUR, MIN, parisTimestamp, rawHttp, schedule, scheduleParams, setProfile, xmlError, xmlOf, ZONE,
} from '../partner/http.js';

/** Shared helpers of the SMS Partner dialect tests (the Partner family's are in ../partner/http.ts). */

export const SP = '/smspartner/v1';

/** GET with the parameters in the query string; POST with a JSON body (Content-Type application/json), or a raw body and the given Content-Type. */
export const { get, post, postRaw } = partnerClient(SP);

export async function account(t: TestApp, credits = '10'): Promise<{ id: number; apiKey: string }> {
  return t.account(credits, `sp-${Math.random().toString(36).slice(2, 8)}`);
}

export async function balance(t: TestApp, apiKey: string): Promise<string> {
  const r = await get(t, '/me', { apiKey });
  assert.equal(r.status, 200, r.text);
  return r.body.credits.balance;
}

/** A unique valid French mobile number per call (national format) and its E.164 form. */
let seq = 20_000_000;
export function phone(): { national: string; e164: string } {
  const digits = String(seq++).padStart(8, '0');
  return { national: `06${digits}`, e164: `+336${digits}` };
}
