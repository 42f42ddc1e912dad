import { normalizePhone } from '../../../core/addresses.js';
import { isRelaisError } from '../../../core/errors.js';
import { quoteMessage } from '../../../core/sandbox.js';
import { scheduleMessage, type PreparedRecipient, type ScheduleInput } from '../../../core/schedule.js';
import type { Account, MessageContent } from '../../../core/types.js';
import { validationError, type FieldError } from '../partner/errors.js';
import { restorePlus, type Params } from '../partner/params.js';
import type { PartnerRouter } from '../partner/scope.js';
import { euros, localTimestamp } from '../partner/values.js';
import { DLR_FORMAT } from './dlr.js';
import { MSG, sp } from './errors.js';
import type { SmsPartnerOptions } from './options.js';
import { lowCostError, readSendOptions, smsText, type SendOptions } from './send-options.js';

const MAX_NUMBERS = 500;

function baseInput(o: SendOptions): Omit<ScheduleInput, 'recipients' | 'content'> {
  return {
    channel: 'sms', sendAt: o.schedule?.sendAt, tag: o.tag,
    callback: o.urlDlr ? { url: o.urlDlr, format: DLR_FORMAT } : null,
    metadata: { dialect: 'smspartner', gamme: o.gamme, ...(o.stopSms ? { isStopSms: 1 } : {}), ...(o.urlResponse ? { urlResponse: o.urlResponse } : {}) },
  };
}

const content = (text: string, o: SendOptions): MessageContent => ({ channel: 'sms', text, sender: o.sender, unicode: o.unicode });

/**
 * Schedules (or, in the sandbox, only prices) through core. A past date is reported with the
 * client's own date, hour and minute, as the vendor does.
 */
async function submit(opts: SmsPartnerOptions, accountId: number, input: ScheduleInput, o: SendOptions): Promise<{ id: number; recipients: PreparedRecipient[]; skipped: string[]; price: number }> {
  try {
    if (o.sandbox) {
      const q = await quoteMessage(opts.core, accountId, input);
      // Nothing is stored in the sandbox, so there is no message id to give (the Go SDK reads an int).
      return { id: 0, recipients: q.recipients, skipped: q.skipped, price: q.price };
    }
    const s = await scheduleMessage(opts.core, accountId, input);
    return { id: s.message.id, recipients: s.recipients ?? [], skipped: s.skipped, price: s.message.price };
  } catch (err) {
    if (isRelaisError(err) && err.code === 'send_at_in_past' && o.schedule) {
      const { date, hour, minute } = o.schedule.local;
      throw validationError(400, 9, [{ elementId: 'children[scheduledDeliveryDate].data', message: MSG.datePast(date, hour, minute) }]);
    }
    throw err;
  }
}

function phoneErrors(numbers: string[], region: Parameters<typeof normalizePhone>[1], errors: FieldError[]): void {
  for (const n of numbers) {
    try {
      normalizePhone(n, region);
    } catch {
      errors.push({ elementId: 'children[phoneNumbers].data', message: MSG.phoneNotValid(n) });
    }
  }
}

/** POST /v1/send: one text to 1..500 numbers (spec §2). */
async function send(opts: SmsPartnerOptions, account: Account, params: Params): Promise<Record<string, unknown>> {
  const numbers = (params.str('phoneNumbers') ?? '').split(',').map(restorePlus).filter(Boolean);
  if (numbers.length === 0) throw sp(2, MSG.phoneRequired);
  if (numbers.length > MAX_NUMBERS) throw sp(50, MSG.tooManyNumbers);
  const errors: FieldError[] = [];
  const message = params.str('message');
  if (!message) errors.push({ elementId: 'children[message].data', message: MSG.messageRequired });
  phoneErrors(numbers, opts.core.defaultRegion, errors);
  const { options: o, codeError } = readSendOptions(params, opts, errors);
  if (errors.length) throw validationError(400, 9, errors);
  if (codeError) throw codeError;
  const text = smsText(message!, o);
  const lowCost = lowCostError(text, o);
  if (lowCost) throw lowCost;
  const r = await submit(opts, account.id, { ...baseInput(o), recipients: numbers, content: content(text, o) }, o);
  return {
    success: true, code: 200, message_id: r.id, nb_sms: r.recipients.reduce((n, x) => n + x.units, 0), cost: euros(r.price),
    currency: account.currency, ...(o.schedule ? { scheduledDeliveryDate: localTimestamp(o.schedule.sendAt, opts.timezone) } : {}),
  };
}

interface BulkItem {
  raw: string;
  address?: string;
  text?: string;
  failure?: { code: number };
}

/** POST /v1/bulk-send: one text per number, one message id (spec §3). */
async function bulkSend(opts: SmsPartnerOptions, account: Account, params: Params): Promise<Record<string, unknown>> {
  const list = params.list('SMSList');
  if (!list || list.length === 0) throw sp(2, MSG.phoneRequired);
  if (list.length > MAX_NUMBERS) throw sp(50, MSG.tooManyNumbers);
  const errors: FieldError[] = [];
  const { options: o, codeError } = readSendOptions(params, opts, errors);
  if (errors.length) throw validationError(400, 9, errors);
  if (codeError) throw codeError;
  // An item that cannot be sent fails on its own (code 9 in its result); the others go.
  const items: BulkItem[] = list.map((entry) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const raw = typeof e.phoneNumber === 'string' || typeof e.phoneNumber === 'number' ? String(e.phoneNumber).trim() : '';
    const message = typeof e.message === 'string' || typeof e.message === 'number' ? String(e.message) : '';
    try {
      const address = normalizePhone(raw, opts.core.defaultRegion);
      if (!message) return { raw, address, failure: { code: 9 } };
      const text = smsText(message, o);
      return lowCostError(text, o) ? { raw, address, failure: { code: 42 } } : { raw, address, text };
    } catch {
      return { raw, failure: { code: 9 } };
    }
  });
  const sendable = items.filter((i) => !i.failure);
  if (sendable.length === 0) throw sp(55, MSG.nothingToSend);
  let r: Awaited<ReturnType<typeof submit>>;
  try {
    r = await submit(opts, account.id, {
      ...baseInput(o), recipients: sendable.map((i) => i.address!), content: content(sendable[0]!.text!, o),
      recipientContents: sendable.map((i) => content(i.text!, o)),
    }, o);
  } catch (err) {
    if (isRelaisError(err) && err.code === 'recipient_suppressed') throw sp(55, MSG.nothingToSend);
    throw err;
  }
  const skipped = new Set(r.skipped);
  const stored = [...r.recipients];
  const results = items.map((i) => {
    if (i.failure) return { success: false, code: i.failure.code, nbSms: 0, cost: 0, phoneNumber: i.address ?? i.raw };
    if (skipped.has(i.address!)) return { success: false, code: 14, nbSms: 0, cost: 0, phoneNumber: i.address };
    const x = stored.shift()!;
    return { success: true, code: 200, nbSms: x.units, cost: euros(x.price), phoneNumber: x.address };
  });
  return {
    success: true, code: 200, message_id: r.id, currency: account.currency, cost: euros(r.price),
    nbSMS: r.recipients.reduce((n, x) => n + x.units, 0), SMSResponse_List: results,
  };
}

export function sendRoutes(route: PartnerRouter, opts: SmsPartnerOptions): void {
  route(['POST', 'GET'], '/send', ({ auth, params }) => send(opts, auth.account, params), { scope: 'messages:write' });
  route(['POST', 'GET'], '/bulk-send', ({ auth, params }) => bulkSend(opts, auth.account, params), { scope: 'messages:write' });
}
