import type { Recipient } from '../../../core/types.js';

/** SMS Partner's status words (the value formats it shares with its family are in partner/values.ts). */

export type SmsStatus = 'Delivered' | 'Not delivered' | 'Waiting';

/**
 * Recipient state → the vendor's status word. `sent` counts as Delivered: the transports of this
 * build (the outbox first of all) report no delivery receipts, and a sandbox user waiting for
 * Delivered must see it. A transport with receipts moves recipients to delivered/undelivered.
 */
export function statusWord(status: Recipient['status']): SmsStatus {
  switch (status) {
    case 'pending':
      return 'Waiting';
    case 'sent':
    case 'delivered':
      return 'Delivered';
    default:
      return 'Not delivered';
  }
}

/** The same vocabulary for a recipient event (status callbacks). */
export const eventStatusWord = (event: string): SmsStatus =>
  event === 'sent' || event === 'delivered' ? 'Delivered' : event === 'pending' ? 'Waiting' : 'Not delivered';
