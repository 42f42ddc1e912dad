import smpp from 'smpp';
import { countSmsSegments } from '../../core/segments.js';
import type { MessageContent } from '../../core/types.js';

/** How a message longer than one SMS goes out: parts with a concatenation UDH, or whole in message_payload. */
export const LONG_MESSAGES = ['udh', 'payload'] as const;
export type LongMessages = (typeof LONG_MESSAGES)[number];

/** The SMS content core prices. */
export type SmsContent = Pick<Extract<MessageContent, { channel: 'sms' }>, 'text' | 'sender' | 'unicode'>;

export const DATA_CODING_GSM7 = 0x00;
export const DATA_CODING_LATIN1 = 0x03;
export const DATA_CODING_UCS2 = 0x08;
export const ESM_CLASS_UDHI = 0x40;
const ESC = 0x1b;
/** Octets of text in a concatenated part: 153 septets (one per octet, unpacked) or 67 UCS-2 units. */
const PART_BYTES = { gsm7: 153, ucs2: 134 } as const;
const UDH_CONCAT_8BIT = [0x05, 0x00, 0x03];

/** An address as SMPP carries it: type of number, numbering plan, digits or name. */
export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

/**
 * The sender by its form: none (the SMSC's default); `+` and digits, international (TON 1/NPI 1,
 * `+` stripped); up to 8 digits, a short code (TON 3 network specific/NPI 0); other digits, a
 * number as dialled (TON 0 unknown/NPI 1): calling `0612345678` international would make it
 * another country's; anything else a name (TON 5 alphanumeric).
 */
export function sourceAddress(sender: string | null): SmppAddress {
  if (!sender) return { ton: 0, npi: 0, addr: '' };
  if (/^\+\d+$/.test(sender)) return { ton: 1, npi: 1, addr: sender.slice(1) };
  if (/^\d{1,8}$/.test(sender)) return { ton: 3, npi: 0, addr: sender };
  if (/^\d+$/.test(sender)) return { ton: 0, npi: 1, addr: sender };
  return { ton: 5, npi: 0, addr: sender };
}

/** A recipient's E.164 number as international digits. */
export const destinationAddress = (address: string): SmppAddress => ({ ton: 1, npi: 1, addr: address.replace(/^\+/, '') });

/** Whether `bytes` may be cut before offset `end` without splitting a character (a GSM-7 escape pair, a UTF-16 surrogate pair). */
const cleanCut = {
  gsm7: (bytes: Buffer, end: number) => bytes[end - 1] !== ESC,
  ucs2: (bytes: Buffer, end: number) => !(bytes[end - 2] >= 0xd8 && bytes[end - 2] <= 0xdb),
};

function cut(bytes: Buffer, size: number, unit: number, clean: (bytes: Buffer, end: number) => boolean): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + size, bytes.length);
    if (end < bytes.length && !clean(bytes, end)) end -= unit;
    parts.push(bytes.subarray(start, end));
    start = end;
  }
  return parts;
}

/**
 * The text's parts as core counts them (core/segments.ts prices them), so that the parts
 * submitted are the parts charged. A character is not split across two parts, unless keeping
 * it whole would take one part more than core counted: then the count wins (DECISIONS §37).
 */
function split(bytes: Buffer, encoding: 'gsm7' | 'ucs2', segments: number): Buffer[] {
  const unit = encoding === 'gsm7' ? 1 : 2;
  const whole = cut(bytes, PART_BYTES[encoding], unit, cleanCut[encoding]);
  return whole.length <= segments ? whole : cut(bytes, PART_BYTES[encoding], unit, () => true);
}

/** The text in the coding core chose: GSM-7 one septet per octet (unpacked, the SMPP default alphabet), or UCS-2 big-endian. */
function encode(text: string, encoding: 'gsm7' | 'ucs2'): Buffer {
  return encoding === 'gsm7' ? smpp.encodings.ASCII.encode(text) : Buffer.from(text, 'utf16le').swap16();
}

/**
 * The submit_sm parameters (without addresses) for a text: one PDU per part with UDH
 * concatenation, or one with message_payload. A delivery receipt is asked on the last part
 * only: its message_id is the recipient's provider id (DECISIONS §37).
 */
export function submitBodies(content: SmsContent, longMessages: LongMessages, reference: number): Record<string, unknown>[] | { refused: string } {
  const { encoding, segments } = countSmsSegments(content.text, { unicode: content.unicode });
  const bytes = encode(content.text, encoding);
  const data_coding = encoding === 'gsm7' ? DATA_CODING_GSM7 : DATA_CODING_UCS2;
  if (segments === 1) return [{ data_coding, esm_class: 0, registered_delivery: 1, short_message: bytes }];
  if (longMessages === 'payload') return [{ data_coding, esm_class: 0, registered_delivery: 1, short_message: Buffer.alloc(0), message_payload: bytes }];
  if (segments > 255) return { refused: `the text is ${segments} parts long: UDH concatenation carries 255 at most` };
  const parts = split(bytes, encoding, segments);
  return parts.map((part, i) => ({
    data_coding, esm_class: ESM_CLASS_UDHI, registered_delivery: i === parts.length - 1 ? 1 : 0,
    short_message: Buffer.concat([Buffer.from([...UDH_CONCAT_8BIT, reference & 0xff, parts.length, i + 1]), part]),
  }));
}
