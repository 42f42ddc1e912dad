import type { DroppedReceipt, KeptReceipt, ReceiptsPort } from '../core/ports.js';
import { toReleased, type ReleasedRow } from './messages.js';
import { Statement, type Raw } from './raw.js';
import { RELEASED_COLUMNS, word } from './rules.js';

// A row without a transport is from before migration 0014 and answers any (DECISIONS.md §24).
const OWN_TRANSPORT = '(transport = ? or transport is null)';
const remember = new Statement('insert into provider_ids (provider_id, transport, recipient_id, address, sender) values (?, ?, ?, ?, ?)');
const settle = new Statement(`update recipients set status = ?, updated_at = ?, error = ?, refunded_at = ?
  where status = ${word('sent')} and provider_id = ? and id in (select recipient_id from provider_ids where provider_id = ? and ${OWN_TRANSPORT})
  returning ${RELEASED_COLUMNS.join(', ')}, sent_at`);

const KEPT_COLUMNS = 'transport, provider_id, status, at, reason, provider_code, kept_at';
const keep = new Statement(`insert into kept_receipts (${KEPT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?) on conflict (transport, provider_id) do nothing`);
const takeOne = new Statement(`delete from kept_receipts where transport = ? and provider_id = ? returning ${KEPT_COLUMNS}`);
// Whether a recipient its transport sent with the kept receipt's id still waits for its receipt.
const AWAITED = `exists (select 1 from provider_ids p join recipients r on r.id = p.recipient_id
  where p.provider_id = k.provider_id and (p.transport = k.transport or p.transport is null) and r.provider_id = k.provider_id and r.status = ${word('sent')})`;
const KNOWN = `exists (select 1 from provider_ids p where p.provider_id = kept_receipts.provider_id
  and (p.transport = kept_receipts.transport or p.transport is null))`;
const takeAwaited = new Statement(`delete from kept_receipts where (transport, provider_id) in (
  select k.transport, k.provider_id from kept_receipts k where ${AWAITED} order by k.kept_at limit ?) returning ${KEPT_COLUMNS}`);
const dropOld = new Statement(`delete from kept_receipts where (transport, provider_id) in (
  select transport, provider_id from kept_receipts where kept_at < ? order by kept_at limit ?) returning ${KEPT_COLUMNS}, ${KNOWN} as known`);
// The newest beyond the cap of their transport: what came since the last sweep, at most.
const dropOverflow = new Statement(`delete from kept_receipts where (transport, provider_id) in (
  select transport, provider_id from (select transport, provider_id,
    row_number() over (partition by transport order by kept_at, provider_id) as n from kept_receipts) ranked where n > ?)
  returning ${KEPT_COLUMNS}, ${KNOWN} as known`);
const anyKept = new Statement('select 1 as found from kept_receipts limit 1', false);

type KeptRow = { transport: string; provider_id: string; status: 'delivered' | 'undelivered'; at: number; reason: string | null; provider_code: string | null; kept_at: number };

type DroppedRow = KeptRow & { known: boolean | number };

const toDropped = (r: DroppedRow): DroppedReceipt => ({ ...toKept(r), known: Boolean(r.known) });

const toKept = (r: KeptRow): KeptReceipt => ({
  transport: r.transport, keptAt: Number(r.kept_at),
  receipt: { providerId: r.provider_id, status: r.status, at: Number(r.at), ...(r.reason === null ? {} : { reason: r.reason }), ...(r.provider_code === null ? {} : { providerCode: r.provider_code }) },
});

export const receiptQueries = (raw: Raw): ReceiptsPort => ({
  async awaitReceipt({ recipientId, transport, providerId, address, sender }) {
    await raw.run(remember, [providerId, transport, recipientId, address, sender]);
  },

  async settleByProviderId(transport, providerId, status, at, error, refundedAt) {
    const rows = await raw.all<ReleasedRow & { sent_at: number | null }>(settle, [status, at, error, refundedAt, providerId, providerId, transport]);
    return rows.map((r) => ({ ...toReleased(r), sentAt: r.sent_at === null ? null : Number(r.sent_at) }));
  },

  async keepReceipt({ transport, receipt: r, keptAt }) {
    return (await raw.run(keep, [transport, r.providerId, r.status, r.at, r.reason ?? null, r.providerCode ?? null, keptAt])) > 0;
  },

  async takeKeptReceipt(transport, providerId) {
    const [row] = await raw.all<KeptRow>(takeOne, [transport, providerId]);
    return row && toKept(row);
  },

  async takeAwaitedKeptReceipts(limit) {
    return (await raw.all<KeptRow>(takeAwaited, [limit])).map(toKept);
  },

  async dropKeptReceipts(before, limit) {
    return (await raw.all<DroppedRow>(dropOld, [before, limit])).map(toDropped);
  },

  async dropKeptOverflow(cap) {
    return (await raw.all<DroppedRow>(dropOverflow, [cap])).map(toDropped);
  },

  async hasKeptReceipts() {
    return (await raw.all(anyKept, [])).length > 0;
  },
});
