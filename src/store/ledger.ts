import type { Kysely } from 'kysely';
import type { LedgerPort } from '../core/ports.js';
import type { Database } from './schema.js';
import { toLedgerEntry } from './mappers.js';
import { Statement, type Raw } from './raw.js';
import { lowestBefore, moveBalance, newLedgerEntry, UNITS } from './rules.js';

const addToBalance = new Statement(moveBalance('?', '?'));
export const moveBalanceAboveFloor = new Statement(moveBalance('?', '?', '?'));
export const insertLedger = new Statement(`${newLedgerEntry.values({
  account_id: '?', kind: '?', amount: '?', balance_after: '?', message_id: '?', cause: '?', created_at: '?',
})} returning id`);

export const ledgerQueries = (db: Kysely<Database>, raw: Raw): LedgerPort => ({
  async applyLedgerEntry(e, floor) {
    // One conditional update decides whether the balance may move; the entry records the result.
    const [acc] = floor === undefined
      ? await raw.all<{ balance: number }>(addToBalance, [e.amount, e.accountId])
      : await raw.all<{ balance: number }>(moveBalanceAboveFloor, [e.amount, e.accountId, lowestBefore(floor, e.amount)]);
    if (!acc) return undefined;
    const balanceAfter = Number(acc.balance);
    const [row] = await raw.all<{ id: number }>(insertLedger, [e.accountId, e.kind, e.amount, balanceAfter, e.messageId, e.cause, e.createdAt]);
    return { id: Number(row.id), accountId: e.accountId, kind: e.kind, amount: e.amount, balanceAfter, messageId: e.messageId, cause: e.cause, createdAt: e.createdAt };
  },

  async listLedger(accountId, q) {
    let query = db.selectFrom('ledger').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(q.limit);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.execute()).map(toLedgerEntry);
  },

  async sumLedger(accountId) {
    const r = await db.selectFrom('ledger').select((eb) => eb.fn.sum<number | string | null>('amount').as('total'))
      .where('account_id', '=', accountId).executeTakeFirst();
    return Number(r?.total ?? 0);
  },

  async usage(accountId, channel, from, to, refundedStatuses) {
    const spent = await db.selectFrom('ledger').innerJoin('messages', 'messages.id', 'ledger.message_id')
      .select((eb) => eb.fn.sum<number | string | null>('ledger.amount').as('total'))
      .where('ledger.account_id', '=', accountId).where('messages.channel', '=', channel)
      .where('ledger.created_at', '>=', from).where('ledger.created_at', '<', to)
      .executeTakeFirst();
    const units = db.selectFrom('recipients').innerJoin('messages', 'messages.id', 'recipients.message_id')
      .select((eb) => eb.fn.sum<number | string | null>(UNITS).as('units'))
      .where('recipients.account_id', '=', accountId).where('messages.channel', '=', channel);
    // Debited when the message was stored, given back when the recipient was released or its
    // receipt refunded it: the same instants the ledger books them, so units and cost agree
    // period by period.
    const bought = await units.where('messages.created_at', '>=', from).where('messages.created_at', '<', to).executeTakeFirst();
    const refunded = await units.where((eb) => eb.or([
      eb.and([eb('recipients.status', 'in', refundedStatuses), eb('recipients.updated_at', '>=', from), eb('recipients.updated_at', '<', to)]),
      eb.and([eb('recipients.refunded_at', '>=', from), eb('recipients.refunded_at', '<', to)]),
    ])).executeTakeFirst();
    return { cost: -Number(spent?.total ?? 0), units: Number(bought?.units ?? 0) - Number(refunded?.units ?? 0) };
  },
});
