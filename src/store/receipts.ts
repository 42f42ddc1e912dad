import type { KeptReceipt, ReceiptsPort } from '../core/ports.js';
import { toReleased, type ReleasedRow } from './messages.js';
import { Statement, type Raw } from './raw.js';
import { RELEASED_COLUMNS, word } from './rules.js';

const remember = new Statement('insert into provider_ids (provider_id, recipient_id) values (?, ?)');
const settle = new Statement(`update recipients set status = ?, updated_at = ?, error = ?
  where status = ${word('sent')} and provider_id = ? and id in (select recipient_id from provider_ids where provider_id = ?)
  returning ${RELEASED_COLUMNS.join(', ')}, sent_at`);
const known = new Statement('select 1 as found from provider_ids where provider_id = ? limit 1');

const KEPT_COLUMNS = 'transport, provider_id, status, at, reason, provider_code, kept_at';
const keep = new Statement(`insert into kept_receipts (${KEPT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?) on conflict (transport, provider_id) do nothing`);
const takeOne = new Statement(`delete from kept_receipts where transport = ? and provider_id = ? returning ${KEPT_COLUMNS}`);
const takeKnown = new Statement(`delete from kept_receipts
  where exists (select 1 from provider_ids p where p.provider_id = kept_receipts.provider_id) returning ${KEPT_COLUMNS}`, false);
const dropOld = new Statement(`delete from kept_receipts where kept_at < ? returning ${KEPT_COLUMNS}`, false);
const anyKept = new Statement('select 1 as found from kept_receipts limit 1', false);

type KeptRow = { transport: string; provider_id: string; status: 'delivered' | 'undelivered'; at: number; reason: string | null; provider_code: string | null; kept_at: number };

const toKept = (r: KeptRow): KeptReceipt => ({
  transport: r.transport, keptAt: Number(r.kept_at),
  receipt: { providerId: r.provider_id, status: r.status, at: Number(r.at), ...(r.reason === null ? {} : { reason: r.reason }), ...(r.provider_code === null ? {} : { providerCode: r.provider_code }) },
});

export const receiptQueries = (raw: Raw): ReceiptsPort => ({
  async awaitReceipt(recipientId, providerId) {
    await raw.run(remember, [providerId, recipientId]);
  },

  async settleByProviderId(providerId, status, at, error) {
    const rows = await raw.all<ReleasedRow & { sent_at: number | null }>(settle, [status, at, error, providerId, providerId]);
    return rows.map((r) => ({ ...toReleased(r), sentAt: r.sent_at === null ? null : Number(r.sent_at) }));
  },

  async knowsProviderId(providerId) {
    return (await raw.all(known, [providerId])).length > 0;
  },

  async keepReceipt({ transport, receipt: r, keptAt }) {
    return (await raw.run(keep, [transport, r.providerId, r.status, r.at, r.reason ?? null, r.providerCode ?? null, keptAt])) > 0;
  },

  async takeKeptReceipt(transport, providerId) {
    const [row] = await raw.all<KeptRow>(takeOne, [transport, providerId]);
    return row && toKept(row);
  },

  async takeKnownKeptReceipts() {
    return (await raw.all<KeptRow>(takeKnown, [])).map(toKept);
  },

  async dropKeptReceipts(before) {
    return (await raw.all<KeptRow>(dropOld, [before])).map(toKept);
  },

  async hasKeptReceipts() {
    return (await raw.all(anyKept, [])).length > 0;
  },
});
