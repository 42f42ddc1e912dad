/**
 * SMS length and segment counting, which drives billing (units per recipient).
 *
 * Rules from spec/sms-partner.md §2 (POST /v1/send, `message` and `isUnicode`):
 * 160 chars per GSM-7 segment, beyond 160 billed per 153-char segment; with Unicode,
 * 70 chars per SMS. The 153 and 67 figures are the standard concatenated-SMS sizes
 * (the 6-byte UDH steals 7 septets / 3 UCS-2 units per part): "per 153-char segment" as
 * handsets and SMSCs cut, never inside a character, so a part may hold 152 (splitSms).
 *
 * The vendor's "Caractères spéciaux" page (which lists characters it substitutes) is
 * not in our sources, so no substitution is applied: a character outside GSM-7 forces
 * UCS-2, which can only over-count, never under-bill.
 */

// GSM 03.38 default alphabet. ESC (0x1B) is deliberately absent: it is the prefix of
// the extension table, not a character a sender can write.
const GSM7_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);

// Extension table: each is sent as ESC + char, hence 2 septets.
const GSM7_EXTENDED = new Set(Array.from('\f^{}\\[~]|€'));

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** Septets for gsm7, UTF-16 code units for ucs2. */
  length: number;
  segments: number;
}

/** Septets of each character (an extension character is ESC + code: 2), or null when one has no GSM-7 encoding. */
function gsm7Sizes(chars: string[]): number[] | null {
  const sizes: number[] = [];
  for (const ch of chars) {
    if (GSM7_BASIC.has(ch)) sizes.push(1);
    else if (GSM7_EXTENDED.has(ch)) sizes.push(2);
    else return null;
  }
  return sizes;
}

/** Single-SMS and concatenated-part capacities: septets for gsm7, code units for ucs2. */
const CAPACITY = { gsm7: { single: 160, part: 153 }, ucs2: { single: 70, part: 67 } } as const;

export interface SmsParts {
  encoding: SmsEncoding;
  /** Septets for gsm7, UTF-16 code units for ucs2. */
  length: number;
  /** The text of each SMS: one for a single SMS, else the concatenated parts in order. */
  parts: string[];
}

/**
 * The text cut into the SMS a handset receives, the one split both pricing and transports use.
 * A part never ends inside a character: a GSM-7 extension character (ESC + code) or an emoji (a
 * UTF-16 surrogate pair) that would straddle a part boundary starts the next part, as 3GPP TS
 * 23.040 senders do, so it can take one part more than a plain length ÷ 153 (DECISIONS §37).
 */
export function splitSms(text: string, opts: { unicode?: boolean } = {}): SmsParts {
  const chars = Array.from(text);
  const septets = opts.unicode ? null : gsm7Sizes(chars);
  const encoding: SmsEncoding = septets ? 'gsm7' : 'ucs2';
  // UCS-2 counts code units, so an astral character (emoji) takes 2, as on the handset.
  const sizes = septets ?? chars.map((ch) => ch.length);
  const length = sizes.reduce((sum, n) => sum + n, 0);
  if (length <= CAPACITY[encoding].single) return { encoding, length, parts: [text] };
  const parts: string[] = [];
  let part = '';
  let filled = 0;
  chars.forEach((ch, i) => {
    if (filled + sizes[i] > CAPACITY[encoding].part) {
      parts.push(part);
      [part, filled] = ['', 0];
    }
    part += ch;
    filled += sizes[i];
  });
  parts.push(part);
  return { encoding, length, parts };
}

/** What pricing needs of splitSms: the coding, the length, and the number of parts (units billed per recipient). */
export function countSmsSegments(text: string, opts: { unicode?: boolean } = {}): SmsSegmentCount {
  const { encoding, length, parts } = splitSms(text, opts);
  return { encoding, length, segments: parts.length };
}

/**
 * Expands the vendor markup allowed in the SMS Partner `message` parameter
 * (spec/sms-partner.md §2): `:br:` is a line break, `:euro:` is €.
 *
 * The vendor says a `:br:` line break "counts for two characters": it is CR LF, two GSM-7
 * septets, so billing matches the vendor's at segment boundaries.
 */
export function normalizeSmsText(text: string): string {
  return text.replaceAll(':br:', '\r\n').replaceAll(':euro:', '€');
}
