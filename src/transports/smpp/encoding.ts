import smpp from 'smpp';
import { splitSms } from '../../core/segments.js';
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
  const { encoding, parts } = splitSms(content.text, { unicode: content.unicode });
  const data_coding = encoding === 'gsm7' ? DATA_CODING_GSM7 : DATA_CODING_UCS2;
  const whole = { data_coding, esm_class: 0, registered_delivery: 1 };
  if (parts.length === 1) return [{ ...whole, short_message: encode(content.text, encoding) }];
  if (longMessages === 'payload') return [{ ...whole, short_message: Buffer.alloc(0), message_payload: encode(content.text, encoding) }];
  if (parts.length > 255) return { refused: `the text is ${parts.length} parts long: UDH concatenation carries 255 at most` };
  // Core's parts, each encoded alone: no character is cut, and the parts submitted are the parts priced.
  return parts.map((part, i) => ({
    data_coding, esm_class: ESM_CLASS_UDHI, registered_delivery: i === parts.length - 1 ? 1 : 0,
    short_message: Buffer.concat([Buffer.from([...UDH_CONCAT_8BIT, reference & 0xff, parts.length, i + 1]), encode(part, encoding)]),
  }));
}
