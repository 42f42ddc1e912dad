import type { ReceiptsPort } from '../core/ports.js';
import { Statement, type Raw } from './raw.js';

const remember = new Statement('insert into provider_ids (provider_id, recipient_id) values (?, ?)');
const settle = new Statement(`update recipients set status = ?, updated_at = ?, error = ?
  where status = 'sent' and provider_id = ? and id in (select recipient_id from provider_ids where provider_id = ?)
  returning id, message_id, account_id, address, price`);
const known = new Statement('select 1 as found from provider_ids where provider_id = ? limit 1');

export const receiptQueries = (raw: Raw): ReceiptsPort => ({
  async awaitReceipt(recipientId, providerId) {
    await raw.run(remember, [providerId, recipientId]);
  },

  async settleByProviderId(providerId, status, at, error) {
    const rows = await raw.all<{ id: number; message_id: number; account_id: number; address: string; price: number }>(settle, [status, at, error, providerId, providerId]);
    return rows.map((r) => ({ id: Number(r.id), messageId: Number(r.message_id), accountId: Number(r.account_id), address: r.address, price: Number(r.price) }));
  },

  async knowsProviderId(providerId) {
    return (await raw.all(known, [providerId])).length > 0;
  },
});
