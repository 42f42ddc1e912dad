import { statusWords } from '../partner/values.js';

/** SMS Partner's status words (the value formats it shares with its family are in partner/values.ts). */

export type SmsStatus = 'Delivered' | 'Not delivered' | 'Waiting';

/** Recipient state → the vendor's status word; SMS Partner has none for a cancel. */
export const statusWord = statusWords<SmsStatus>({ waiting: 'Waiting', delivered: 'Delivered', notDelivered: 'Not delivered', cancelled: 'Not delivered' });

/** The same vocabulary for a recipient event (status callbacks). */
export const eventStatusWord = (event: string): SmsStatus =>
  event === 'sent' || event === 'delivered' ? 'Delivered' : event === 'pending' ? 'Waiting' : 'Not delivered';
