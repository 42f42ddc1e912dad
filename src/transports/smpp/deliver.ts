import type { Pdu } from 'smpp';
import type { InboundMessage, Receipt } from '../../core/transport.js';
import { DATA_CODING_GSM7, DATA_CODING_LATIN1, DATA_CODING_UCS2 } from './encoding.js';

/**
 * How the SMSC writes message ids: `same` everywhere, or hexadecimal in submit_sm_resp and
 * decimal in the receipt text (`hex-dec`), or the reverse (`dec-hex`). The receipted_message_id
 * TLV is written as submit_sm_resp is (SMPP 3.4 §5.3.2.12).
 */
export const ID_FORMATS = ['same', 'hex-dec', 'dec-hex'] as const;
export type IdFormat = (typeof ID_FORMATS)[number];

const canonicalHex = (id: string): string => id.toLowerCase().replace(/^0+(?=.)/, '');
const canonicalDecimal = (id: string): string => id.replace(/^0+(?=.)/, '');

/**
 * The provider id of a submit_sm_resp's message_id. With a mixed format both sides are brought to
 * one spelling of the number: lower-case hex, or decimal, without leading zeros.
 */
export function submitId(id: string, format: IdFormat): string {
  const trimmed = id.trim();
  if (format === 'hex-dec') return canonicalHex(trimmed);
  if (format === 'dec-hex') return canonicalDecimal(trimmed);
  return trimmed;
}

/** The receipt text's `id:`, in the spelling of submitId. Ids are unbounded integers: BigInt. */
function textId(id: string, format: IdFormat): string {
  if (format === 'hex-dec' && /^\d{1,40}$/.test(id)) return BigInt(id).toString(16);
  if (format === 'dec-hex' && /^[0-9a-f]{1,32}$/i.test(id)) return BigInt(`0x${id}`).toString(10);
  return submitId(id, format);
}

/** Receipt `stat:` words: a final state, or an intermediate one (ENROUTE, ACCEPTD) that is only acknowledged. */
const FINAL: Readonly<Record<string, Receipt['status']>> = {
  DELIVRD: 'delivered', UNDELIV: 'undelivered', EXPIRED: 'undelivered', REJECTD: 'undelivered', UNKNOWN: 'undelivered', DELETED: 'undelivered',
};
/** The message_state TLV's values, as the receipt text's words. */
const STATES: Readonly<Record<number, string>> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

/** What a deliver_sm is: a final receipt, an MO message, or something only acknowledged (an intermediate or unreadable receipt, an undecodable text). */
export type Delivery = { receipt: Receipt } | { inbound: InboundMessage } | { ignored: string };

const DECODED = new Set([DATA_CODING_GSM7, 0x01, DATA_CODING_LATIN1, DATA_CODING_UCS2]);

/** The text the smpp package decoded from short_message or message_payload (GSM-7, Latin-1, UCS-2); undefined for another coding. */
function text(pdu: Pdu): string | undefined {
  if (!DECODED.has(Number(pdu.data_coding) & 0x0f)) return undefined;
  const decoded = (field: unknown): string | undefined => {
    const message = (field as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : undefined;
  };
  return decoded(pdu.message_payload) || decoded(pdu.short_message);
}

const RECEIPT_TEXT = /\bid:(\S{1,64}).*\bstat:([A-Z]{1,8})/is;

function receipt(pdu: Pdu, body: string | undefined, format: IdFormat): Delivery {
  const tlvId = typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id.trim() !== '' ? submitId(pdu.receipted_message_id, format) : undefined;
  const found = body?.match(RECEIPT_TEXT);
  const providerId = tlvId ?? (found ? textId(found[1], format) : undefined);
  const stat = found?.[2].toUpperCase() ?? STATES[Number(pdu.message_state)];
  if (!providerId || !stat) return { ignored: 'a receipt without an id or a state' };
  const status = FINAL[stat];
  if (!status) return { ignored: `an intermediate receipt (${stat})` };
  const err = body?.match(/\berr:(\w{1,16})/i)?.[1];
  return { receipt: { providerId, status, ...(status === 'undelivered' ? { reason: stat } : {}), ...(err !== undefined ? { providerCode: err } : {}) } };
}

/** An SMPP address as the provider gives it, an international number with its `+`. */
const number = (addr: unknown, ton: unknown): string => (ton === 1 && typeof addr === 'string' && /^\d+$/.test(addr) ? `+${addr}` : String(addr ?? ''));

/** Reads a deliver_sm: a receipt when its esm_class says so or its text is one, else a mobile-originated message. */
export function readDelivery(pdu: Pdu, format: IdFormat): Delivery {
  const body = text(pdu);
  if ((Number(pdu.esm_class) & 0x04) !== 0 || (body !== undefined && RECEIPT_TEXT.test(body))) return receipt(pdu, body, format);
  if (body === undefined) return { ignored: `a message in data_coding ${String(pdu.data_coding)}` };
  return { inbound: { from: number(pdu.source_addr, pdu.source_addr_ton), to: number(pdu.destination_addr, pdu.dest_addr_ton), text: body } };
}
