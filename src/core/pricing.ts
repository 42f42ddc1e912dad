import type { Credits } from './money.js';
import { countSmsSegments } from './segments.js';
import type { MessageContent } from './types.js';

/** Per-unit prices in integer thousandths of EUR, so totals never drift. */
export interface Pricing {
  smsPerSegment: Credits;
  email: Credits;
  voice: Credits;
}

/** Documented defaults; overridable by RELAIS_PRICE_SMS / RELAIS_PRICE_EMAIL / RELAIS_PRICE_VOICE. */
export const DEFAULT_PRICING: Pricing = { smsPerSegment: 45, email: 2, voice: 150 };

/** Units billed per recipient and their price: SMS are billed per segment, the rest per message. */
export function priceOf(pricing: Pricing, content: MessageContent): { units: number; unitPrice: Credits } {
  switch (content.channel) {
    case 'sms': {
      const units = countSmsSegments(content.text, { unicode: content.unicode }).segments;
      return { units, unitPrice: units * pricing.smsPerSegment };
    }
    case 'email':
      return { units: 1, unitPrice: pricing.email };
    case 'voice':
      return { units: 1, unitPrice: pricing.voice };
  }
}
