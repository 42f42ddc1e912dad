import { sql, type Kysely } from 'kysely';
import type { StoreTx } from '../core/ports.js';
import type { StoreKind } from './open.js';
import type { Database, MessageRow } from './schema.js';
import { toMessage, toRecipient } from './mappers.js';
import type { Raw } from './raw.js';

/** A literal, not a bound parameter: only then does SQLite use the partial lease index (0003). */
const DISPATCHING = sql.lit('dispatching');

type ClaimQueries = Pick<StoreTx,
  'claimDue' | 'setLease' | 'pendingRecipients' | 'updatePendingRecipient' | 'releaseRecipient' | 'completeMessage' | 'nextWakeAt'>;

/** The dispatcher's side of the store: the only place with dialect-specific SQL. */
export const claimQueries = (db: Kysely<Database>, kind: StoreKind, raw: Raw): ClaimQueries => ({
  async claimDue(now, limit, owner, leaseUntil) {
    // Expired leases first: a crashed worker's messages are older than anything newly due.
    const expired = db.selectFrom('messages').select('id')
      .where('status', '=', DISPATCHING).where('lease_until', '<', now).orderBy('lease_until').limit(limit);
    // `<=` mirrors cancel's `send_at >= now + cutoff`: at the due instant exactly one of them can match.
    const due = db.selectFrom('messages').select('id')
      .where('status', '=', 'scheduled').where('send_at', '<=', now).orderBy('send_at').limit(limit);
    const claimed: MessageRow[] = [];
    for (const [candidates, isExpired] of [[expired, true], [due, false]] as const) {
      const room: number = limit - claimed.length;
      if (room <= 0) break;
      // PostgreSQL: the locking SELECT runs once, as a materialized CTE. Written as `id IN (subquery)`
      // the planner may pick a nested-loop semi-join that rescans the subquery for every row; each
      // rescan SKIP LOCKED-skips the rows this statement already updated, so LIMIT stopped limiting.
      const target: any = kind === 'postgres'
        ? db.with((cte) => cte('picked').materialized(), () => candidates.limit(room).forUpdate().skipLocked())
          .updateTable('messages').where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
        : db.updateTable('messages').where('id', 'in', candidates.limit(room));
      let update: any = target
        .set((eb: any) => ({
          status: 'dispatching', lease_owner: owner, lease_until: leaseUntil, updated_at: now,
          dispatched_at: eb.fn.coalesce('dispatched_at', eb.val(now)),
        }));
      // Re-checked on the row itself: on PostgreSQL the subquery's snapshot may be older than the lock.
      update = isExpired
        ? update.where('status', '=', DISPATCHING).where('lease_until', '<', now)
        : update.where('status', '=', 'scheduled').where('send_at', '<=', now);
      claimed.push(...((await update.returningAll().execute()) as MessageRow[]));
    }
    return claimed.map(toMessage);
  },

  async setLease(messageId, owner, leaseUntil) {
    const r = await db.updateTable('messages').set({ lease_until: leaseUntil })
      .where('id', '=', messageId).where('status', '=', 'dispatching').where('lease_owner', '=', owner).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async pendingRecipients(messageId) {
    return (await db.selectFrom('recipients').selectAll()
      .where('message_id', '=', messageId).where('status', '=', 'pending').orderBy('id').execute()).map(toRecipient);
  },

  async updatePendingRecipient(id, u, incrementAttempts = false) {
    const r = await db.updateTable('recipients')
      .set((eb) => ({
        status: u.status,
        updated_at: u.at,
        ...(u.status === 'sent' ? { sent_at: u.at } : {}),
        ...(u.providerId !== undefined ? { provider_id: u.providerId } : {}),
        ...(u.error !== undefined ? { error: u.error } : {}),
        ...(incrementAttempts ? { attempts: eb('attempts', '+', 1) } : {}),
      }))
      .where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async releaseRecipient(id, status, now, error, incrementAttempts = false) {
    const r = await db.updateTable('recipients')
      .set((eb) => ({ status, updated_at: now, error, ...(incrementAttempts ? { attempts: eb('attempts', '+', 1) } : {}) }))
      .where('id', '=', id).where('status', '=', 'pending')
      .returning(['id', 'message_id', 'account_id', 'address', 'price']).executeTakeFirst();
    return r && { id: r.id, messageId: r.message_id, accountId: r.account_id, address: r.address, price: r.price };
  },

  async completeMessage(id, owner, status, now) {
    const r = await db.updateTable('messages')
      .set({ status, completed_at: now, updated_at: now, lease_owner: null, lease_until: null })
      .where('id', '=', id).where('status', '=', 'dispatching').where('lease_owner', '=', owner).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async nextWakeAt() {
    const a = await db.selectFrom('messages').select((eb) => eb.fn.min<number | null>('send_at').as('t'))
      .where('status', '=', 'scheduled').executeTakeFirst();
    const b = await db.selectFrom('messages').select((eb) => eb.fn.min<number | null>('lease_until').as('t'))
      .where('status', '=', DISPATCHING).executeTakeFirst();
    const times = [a?.t, b?.t].filter((t): t is number => t !== null && t !== undefined).map(Number);
    return times.length ? Math.min(...times) : undefined;
  },
});
