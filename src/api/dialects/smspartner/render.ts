import { statusWords } from '../partner/values.js';

/** SMS Partner's status words (the value formats it shares with its family are in partner/values.ts). */

export type SmsStatus = 'Delivered' | 'Not delivered' | 'Waiting';

/** Recipient state → the vendor's status word; SMS Partner has none for a cancel. */
export const statusWord = statusWords<SmsStatus>({ waiting: 'Waiting', delivered: 'Delivered', notDelivered: 'Not delivered', cancelled: 'Not delivered' });

/** The same vocabulary for a recipient event (status callbacks); `sent` through a transport with receipts is still Waiting. */
export const eventStatusWord = (event: string, awaitingReceipt: boolean): SmsStatus =>
  event === 'sent' ? (awaitingReceipt ? 'Waiting' : 'Delivered') : event === 'delivered' ? 'Delivered' : event === 'pending' ? 'Waiting' : 'Not delivered';
