import { formatLocal } from '../../../core/local-time.js';
import { formatCredits, type Credits } from '../../../core/money.js';
import type { Recipient } from '../../../core/types.js';

/** The value formats every Partner API shares: dates, amounts. */

/** Unix seconds as a string, the status endpoints' date; empty while nothing happened yet. */
export const unixString = (r: Recipient): string => (r.status === 'pending' ? '' : String(Math.floor(r.updatedAt / 1000)));

/** Amounts in the vendors' answers are JSON numbers of euros (`0.038`). */
export const euros = (c: Credits): number => Math.round(c) / 1000;

/** Balances are 3-decimal strings (`"10225.119"`). */
export const balanceString = (c: Credits): string => formatCredits(c);

/** `YYYY-MM-DD HH:MM:SS` local wall time (suppression lists, sub-accounts, scheduled send echo). */
export const localTimestamp = (ms: number, zone: string): string => formatLocal(ms, zone, 'yyyy-MM-dd HH:mm:ss');

/** Euros as sent by clients (`10`, `"2.5"`) → credits, half-up to 3 decimals. */
export const toCredits = (eurosAmount: number): Credits => Math.round(Number((eurosAmount * 1000).toPrecision(15)));

/**
 * A vendor's status words → the function that names a recipient's state with them. `sent` counts
 * as delivered through a transport without receipts (the outbox: a sandbox user waiting for
 * Delivered must see it); through one with receipts (`awaitingReceipt`) it is still waiting,
 * until the receipt moves it to delivered/undelivered (DECISIONS.md §10, §38).
 */
export function statusWords<W extends string>(w: { waiting: W; delivered: W; notDelivered: W; cancelled: W }): (status: Recipient['status'], awaitingReceipt: boolean) => W {
  return (status, awaitingReceipt) => {
    switch (status) {
      case 'pending':
        return w.waiting;
      case 'sent':
        return awaitingReceipt ? w.waiting : w.delivered;
      case 'delivered':
        return w.delivered;
      case 'skipped':
      case 'cancelled':
        return w.cancelled;
      default:
        return w.notDelivered;
    }
  };
}
