import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { BrazeSchedulesPort } from '../core/ports.js';
import type { BrazeSchedule, BrazeScheduleKind } from '../core/types.js';
import type { BrazeScheduleTable, Database } from './schema.js';

const toSchedule = (r: Selectable<BrazeScheduleTable>): BrazeSchedule => ({
  scheduleId: r.schedule_id, accountId: Number(r.account_id), dispatchId: r.dispatch_id, sendId: r.send_id, kind: r.kind as BrazeScheduleKind,
  parentId: r.parent_id, timing: JSON.parse(r.schedule) as BrazeSchedule['timing'], request: JSON.parse(r.request) as Record<string, unknown>,
  sendAt: Number(r.send_at), state: r.state as BrazeSchedule['state'], createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

export const brazeScheduleQueries = (db: Kysely<Database>): BrazeSchedulesPort => ({
  async insertBrazeSchedule(s) {
    await db.insertInto('braze_schedules').values({
      schedule_id: s.scheduleId, account_id: s.accountId, dispatch_id: s.dispatchId, send_id: s.sendId, kind: s.kind, parent_id: s.parentId,
      schedule: JSON.stringify(s.timing), request: JSON.stringify(s.request), send_at: s.sendAt, state: s.state, created_at: s.createdAt, updated_at: s.updatedAt,
    }).execute();
  },

  async findBrazeSchedule(accountId, scheduleId) {
    const row = await db.selectFrom('braze_schedules').selectAll().where('schedule_id', '=', scheduleId).where('account_id', '=', accountId).executeTakeFirst();
    return row && toSchedule(row);
  },

  async lockBrazeSchedule(accountId, scheduleId) {
    // A write that changes nothing takes the row lock on PostgreSQL (see lockUser).
    const row = await db.updateTable('braze_schedules').set((eb) => ({ updated_at: eb.ref('updated_at') }))
      .where('schedule_id', '=', scheduleId).where('account_id', '=', accountId).returningAll().executeTakeFirst();
    return row && toSchedule(row);
  },

  async updateBrazeSchedule(accountId, scheduleId, c) {
    const r = await db.updateTable('braze_schedules').set({
      updated_at: c.updatedAt,
      ...(c.timing && { schedule: JSON.stringify(c.timing) }),
      ...(c.request && { request: JSON.stringify(c.request) }),
      ...(c.sendAt !== undefined && { send_at: c.sendAt }),
      ...(c.state && { state: c.state }),
    }).where('schedule_id', '=', scheduleId).where('account_id', '=', accountId).where('state', '=', 'scheduled').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async pendingBrazeSchedules(accountId, window) {
    // Filtered here, not in core: a schedule whose messages are all sent stays `scheduled` forever.
    // Each batch is read through the messages' (account_id, batch_id) index.
    const batch = (eb: ExpressionBuilder<Database & { s: BrazeScheduleTable }, 's'>) => eb.selectFrom('messages as m')
      .whereRef('m.account_id', '=', 's.account_id').whereRef('m.batch_id', '=', 's.schedule_id');
    const rows = await db.selectFrom('braze_schedules as s')
      .leftJoin('braze_campaigns as c', (j) => j.onRef('c.account_id', '=', 's.account_id').onRef('c.kind', '=', 's.kind').on((eb) => eb('c.id', '=', eb.fn<string>('lower', ['s.parent_id']))))
      .selectAll('s').select(['c.name as parent_name', 'c.tags as parent_tags'])
      .select((eb) => batch(eb).where('m.status', '=', 'scheduled').select((e) => e.fn.min('m.send_at').as('t')).as('next_send_at'))
      .where('s.account_id', '=', accountId).where('s.state', '=', 'scheduled')
      .where((eb) => eb.or([
        eb.exists(batch(eb).where('m.status', '=', 'scheduled').where('m.send_at', '<=', window.until).select('m.id')),
        eb.and([eb('s.send_at', '>=', window.from), eb('s.send_at', '<=', window.until), eb.not(eb.exists(batch(eb).select('m.id')))]),
      ]))
      .orderBy('s.created_at').orderBy('s.schedule_id').execute();
    return rows.map((r) => ({
      schedule: toSchedule(r),
      nextSendAt: r.next_send_at === null || r.next_send_at === undefined ? Number(r.send_at) : Number(r.next_send_at),
      parent: r.parent_name === null ? null : { name: r.parent_name, tags: JSON.parse(r.parent_tags!) as string[] },
    }));
  },
});
