import { formatLocal } from '../../../core/local-time.js';
import { formatCredits, type Credits } from '../../../core/money.js';
import type { Recipient } from '../../../core/types.js';

/** SMS Partner's value formats: status words, dates, amounts. */

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

/** Unix seconds as a string, the status endpoints' date; empty while nothing happened yet. */
export const unixString = (r: Recipient): string => (r.status === 'pending' ? '' : String(Math.floor(r.updatedAt / 1000)));

/** Amounts in the vendor's answers are JSON numbers of euros (`0.038`). */
export const euros = (c: Credits): number => Math.round(c) / 1000;

/** Balances are 3-decimal strings (`"10225.119"`). */
export const balanceString = (c: Credits): string => formatCredits(c);

/** `YYYY-MM-DD HH:MM:SS` local wall time (stop list, sub-accounts, scheduled send echo). */
export const localTimestamp = (ms: number, zone: string): string => formatLocal(ms, zone, 'yyyy-MM-dd HH:mm:ss');

/** Euros as sent by clients (`10`, `"2.5"`) → credits, half-up to 3 decimals. */
export const toCredits = (eurosAmount: number): Credits => Math.round(Number((eurosAmount * 1000).toPrecision(15)));
