/**
 * SMS length and segment counting, which drives billing (units per recipient).
 *
 * Rules from spec/sms-partner.md §2 (POST /v1/send, `message` and `isUnicode`):
 * 160 chars per GSM-7 segment, beyond 160 billed per 153-char segment; with Unicode,
 * 70 chars per SMS. The 153 and 67 figures are the standard concatenated-SMS sizes
 * (the 6-byte UDH steals 7 septets / 3 UCS-2 units per part).
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

/** GSM-7 length in septets, or null when a character has no GSM-7 encoding. */
function gsm7Length(text: string): number | null {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else return null;
  }
  return septets;
}

export function countSmsSegments(text: string, opts: { unicode?: boolean } = {}): SmsSegmentCount {
  const septets = opts.unicode ? null : gsm7Length(text);
  if (septets !== null) {
    return { encoding: 'gsm7', length: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }
  // UCS-2 counts code units, so an astral character (emoji) takes 2, as on the handset.
  const units = text.length;
  return { encoding: 'ucs2', length: units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
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
