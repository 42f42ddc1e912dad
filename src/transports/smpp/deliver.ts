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

/**
 * Receipt `stat:` words: a final state, or an intermediate one (ENROUTE, ACCEPTD) that is only
 * acknowledged. SMPP 3.4 writes seven letters; some SMSCs write the whole word.
 */
const FINAL: Readonly<Record<string, Receipt['status']>> = {
  DELIVRD: 'delivered', DELIVERED: 'delivered',
  UNDELIV: 'undelivered', UNDELIVERABLE: 'undelivered', EXPIRED: 'undelivered', REJECTD: 'undelivered', REJECTED: 'undelivered', UNKNOWN: 'undelivered', DELETED: 'undelivered',
};
const INTERMEDIATE = new Set(['ENROUTE', 'ACCEPTD', 'ACCEPTED']);
/** The message_state TLV's values, as the receipt text's words. */
const STATES: Readonly<Record<number, string>> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

/**
 * What a deliver_sm is: a final receipt, an MO message, something only acknowledged (an
 * intermediate receipt, an MO in a coding Relais does not decode), or a receipt Relais cannot
 * read (acknowledged too, but counted: its recipient will not settle).
 */
export type Delivery = { receipt: Receipt } | { inbound: InboundMessage; part?: ConcatPart } | { ignored: string } | { unreadable: string };

/** Where an MO message's part stands in its whole: the sender's reference, the number of parts, this one's (from 1). */
export interface ConcatPart {
  reference: number;
  total: number;
  seq: number;
}

/** UDH information elements of concatenation (3GPP TS 23.040 §9.2.3.24.1, .8): 8-bit or 16-bit reference. */
const IEI_CONCAT_8BIT = 0x00;
const IEI_CONCAT_16BIT = 0x08;

/**
 * The concatenation of an MO part: a UDH element in short_message, else the sar_* TLVs. A single
 * part, or a number out of range (0, past the total), is no part: TS 23.040 has the element ignored.
 */
function concatPart(pdu: Pdu): ConcatPart | undefined {
  const udh = (pdu.short_message as { udh?: Buffer[] } | undefined)?.udh ?? [];
  const ie = udh.find((e) => (e[0] === IEI_CONCAT_8BIT && e[1] === 3) || (e[0] === IEI_CONCAT_16BIT && e[1] === 4));
  const part = ie
    ? { reference: ie[0] === IEI_CONCAT_8BIT ? ie[2] : ie.readUInt16BE(2), total: ie[ie.length - 2], seq: ie[ie.length - 1] }
    : { reference: Number(pdu.sar_msg_ref_num), total: Number(pdu.sar_total_segments), seq: Number(pdu.sar_segment_seqnum) };
  const { reference, total, seq } = part;
  return Number.isInteger(reference) && total >= 2 && seq >= 1 && seq <= total ? part : undefined;
}

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

/**
 * The receipt text's fields, read before its `text:` only: that field quotes the message the
 * account sent, which could write its own `stat:` (SMPP 3.4 appendix B puts `text:` last).
 */
function receiptFields(body: string | undefined): { id?: string; stat?: string; err?: string } {
  const head = body?.split(/\btext:/i)[0].slice(0, 512) ?? '';
  return {
    id: head.match(/\bid:\s*(\S{1,64})/i)?.[1],
    stat: head.match(/\bstat:\s*([A-Z]{1,16})\b/i)?.[1].toUpperCase(),
    err: head.match(/\berr:\s*(\w{1,16})/i)?.[1],
  };
}

const tlvString = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** A receipt: its id from the receipted_message_id TLV else the text, its state from the message_state TLV else the text. */
function receipt(pdu: Pdu, body: string | undefined, format: IdFormat): Delivery {
  const fields = receiptFields(body);
  const tlvId = tlvString(pdu.receipted_message_id);
  const providerId = tlvId !== undefined ? submitId(tlvId, format) : fields.id !== undefined ? textId(fields.id, format) : undefined;
  const stat = STATES[Number(pdu.message_state)] ?? fields.stat;
  if (!providerId || !stat) return { unreadable: `a receipt without ${providerId ? 'a state' : 'an id'}` };
  const status = FINAL[stat];
  if (!status) return INTERMEDIATE.has(stat) ? { ignored: `an intermediate receipt (${stat})` } : { unreadable: `a receipt in state ${stat}` };
  return { receipt: { providerId, status, ...(status === 'undelivered' ? { reason: stat } : {}), ...(fields.err !== undefined ? { providerCode: fields.err } : {}) } };
}

/** An SMPP address as the provider gives it, an international number with its `+`. */
const number = (addr: unknown, ton: unknown): string => (ton === 1 && typeof addr === 'string' && /^\d+$/.test(addr) ? `+${addr}` : String(addr ?? ''));

/** esm_class bits 2-5: the message type; any of them set (receipt, acknowledgement, intermediate notification) is no MO. */
const ESM_CLASS_MESSAGE_TYPE = 0x3c;

/**
 * Reads a deliver_sm: a receipt when its esm_class says so or it names the receipted message,
 * else a mobile-originated message, whatever its text reads (a handset could write `id:… stat:…`).
 */
export function readDelivery(pdu: Pdu, format: IdFormat): Delivery {
  const body = text(pdu);
  if ((Number(pdu.esm_class) & ESM_CLASS_MESSAGE_TYPE) !== 0 || tlvString(pdu.receipted_message_id) !== undefined) return receipt(pdu, body, format);
  if (body === undefined) return { ignored: `a message in data_coding ${String(pdu.data_coding)}` };
  const part = concatPart(pdu);
  return { inbound: { from: number(pdu.source_addr, pdu.source_addr_ton), to: number(pdu.destination_addr, pdu.dest_addr_ton), text: body }, ...(part ? { part } : {}) };
}
