import { RelaisError } from '../../../core/errors.js';
import { localMonth, localToInstant } from '../../../core/local-time.js';
import { formatCredits } from '../../../core/money.js';
import { usageByMonth } from '../../../core/statistics.js';
import { validationError } from '../partner/errors.js';
import type { Params } from '../partner/params.js';
import { WindowLimiter } from '../../rate-limit.js';
import type { PartnerRouter } from '../partner/scope.js';
import { MSG } from './errors.js';
import type { SmsPartnerOptions } from './options.js';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAY = /^\s*(\d{1,2})[-/](\d{1,2})[-/](\d{4})\s*$/;

function day(params: Params, name: string, zone: string, nextDay = false): number {
  const m = DAY.exec(params.str(name) ?? '');
  try {
    if (!m) throw new RelaisError('invalid_date', `${name} is not DD-MM-YYYY`);
    // The day after `to` starts the excluded end: `to` is inclusive.
    const d = new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1])));
    if (d.getUTCDate() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1) throw new RelaisError('invalid_date', `${name} does not exist`);
    if (nextDay) d.setUTCDate(d.getUTCDate() + 1);
    return localToInstant(zone, { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 });
  } catch {
    throw validationError(400, 9, [{ elementId: `children[${name}].data`, message: MSG.dateInvalid }]);
  }
}

/** `interval` → [from, to): the previous month, the twelve months before this one, or a custom day range. */
function rangeOf(opts: SmsPartnerOptions, params: Params): { from: number; to: number } {
  const now = opts.core.clock.now();
  switch (params.str('interval')?.trim()) {
    case 'last_month':
      return { from: localMonth(now, opts.timezone, -1).start, to: localMonth(now, opts.timezone).start };
    case 'last_twelve_months':
      return { from: localMonth(now, opts.timezone, -12).start, to: localMonth(now, opts.timezone).start };
    case 'custom':
      return { from: day(params, 'from', opts.timezone), to: day(params, 'to', opts.timezone, true) };
    default:
      throw validationError(400, 9, [{ elementId: 'children[interval].data', message: MSG.valueInvalid }]);
  }
}

/** GET /v1/statistics/cost-resume (spec §9): net SMS spend per month, from the ledger. No `code` key on success, as documented. */
export function statisticsRoutes(route: PartnerRouter, opts: SmsPartnerOptions): void {
  const limiter = new WindowLimiter(5, 60_000, opts.core.clock);
  route(['GET', 'POST'], '/statistics/cost-resume', async ({ auth: { account }, params }) => {
    if (!limiter.take(account.id)) throw new RelaisError('rate_limited', 'at most 5 statistics requests a minute');
    const months = await usageByMonth(opts.core, account.id, 'sms', rangeOf(opts, params), opts.timezone);
    return {
      success: true,
      datas: months.map((m) => ({
        month: MONTHS[m.month - 1], year: String(m.year), m: String(m.month).padStart(2, '0'), date: Math.floor(m.start / 1000),
        type: 'month', cost: formatCredits(m.cost), nb_send: String(m.units),
      })),
    };
  }, { scope: 'account:read', errors: { invalid_date: { status: 400, code: 9, message: MSG.dateInvalid, elementId: 'children[from].data' } } });
}
