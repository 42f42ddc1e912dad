import { DateTime } from 'luxon';
import { isLocal, wallClock } from '../../../core/braze-timing.js';
import { scheduledBroadcasts, type ScheduledBroadcast } from '../../../core/braze-schedules.js';
import type { Core } from '../../../core/context.js';
import { BrazeError } from './errors.js';
import type { BrazeEndpoint } from './scope.js';

/** `end_time`'s date at midnight UTC (spec/braze.md §10: `2018-09-01T00:00:00-04:00` means 2018-09-01T00:00Z). */
function endOf(query: unknown): number {
  const text = (query as Record<string, unknown> | undefined)?.end_time;
  const parsed = typeof text === 'string' ? DateTime.fromISO(text.trim(), { setZone: true }) : undefined;
  if (!parsed?.isValid) throw new BrazeError(400, 'Bad Request', ['end_time is required: an ISO 8601 date']);
  return Date.UTC(parsed.year, parsed.month - 1, parsed.day);
}

/** One entry: a local or intelligent schedule shows its wall clock (no offset), the others their instant in the account's zone. */
function entry(b: ScheduledBroadcast, zone: string) {
  const { schedule } = b;
  const local = isLocal(schedule.timing);
  return {
    name: b.name,
    id: schedule.parentId ?? schedule.scheduleId,
    type: schedule.kind === 'canvas' ? 'Canvas' : 'Campaign',
    tags: b.tags,
    next_send_time: local ? wallClock(schedule.timing) : DateTime.fromMillis(b.nextSendAt, { zone }).toISO({ suppressMilliseconds: true }),
    schedule_type: schedule.timing.atOptimalTime ? 'intelligent_delivery' : local ? 'local_time_zones' : zone,
  };
}

/** GET /messages/scheduled_broadcasts?end_time=…: the account's pending schedules up to end_time's date. */
export const scheduledBroadcastsEndpoint = (core: Core, zone: string): BrazeEndpoint => ({
  method: 'GET', path: '/messages/scheduled_broadcasts', permission: 'messages.schedule_broadcasts', bucket: 'schedule',
  handle: async (ctx) => {
    const until = endOf(ctx.request.query);
    const list = await scheduledBroadcasts(core, ctx.auth.account.id, until);
    return { status: 200, body: { scheduled_broadcasts: list.map((b) => entry(b, zone)) } };
  },
});
