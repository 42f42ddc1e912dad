import { getAccount } from './accounts.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { monthsBetween } from './local-time.js';
import type { Credits } from './money.js';
import { REFUNDED_STATUSES, type Account, type AccountProfile, type Channel } from './types.js';

/** Usage of one local calendar month (or the part of it inside the requested range). */
export interface MonthUsage {
  year: number;
  month: number;
  /** First instant of the month in the zone. */
  start: number;
  /** Net spend: debits minus refunds booked in the period, from the ledger. */
  cost: Credits;
  /** Units bought by that spend: units of recipients scheduled minus units of recipients refunded in the period (an undelivered one when its receipt refunded it). */
  units: number;
}

/** Longest range one request may cover, so that a typo in a year cannot ask for centuries of months. */
export const MAX_MONTHS = 120;

/** Spend on `channel` per local month over [from, to), every month included (zero when idle). */
export async function usageByMonth(core: Core, accountId: number, channel: Channel, range: { from: number; to: number }, zone: string): Promise<MonthUsage[]> {
  if (!(range.from < range.to)) throw new RelaisError('invalid_date', 'the period ends before it starts', { field: 'to' });
  const months = monthsBetween(range.from, range.to, zone);
  if (months.length > MAX_MONTHS) throw new RelaisError('invalid_date', `a period covers at most ${MAX_MONTHS} months`, { field: 'from' });
  const out: MonthUsage[] = [];
  for (const m of months) {
    const u = await core.store.autocommit.usage(accountId, channel, Math.max(m.start, range.from), Math.min(m.end, range.to), REFUNDED_STATUSES);
    out.push({ year: m.year, month: m.month, start: m.start, cost: u.cost, units: u.units });
  }
  return out;
}

export interface AccountOverview {
  account: Account;
  profile: AccountProfile | undefined;
  /** SMS units scheduled or being sent and not yet sent. */
  pendingSmsUnits: number;
}

/** Balance, profile and what is still queued: everything a credits endpoint shows. */
export async function accountOverview(core: Core, accountId: number): Promise<AccountOverview> {
  const account = await getAccount(core, accountId);
  const [profile, pendingSmsUnits] = [await core.store.autocommit.getProfile(accountId), await core.store.autocommit.pendingUnits(accountId, 'sms')];
  return { account, profile, pendingSmsUnits };
}
