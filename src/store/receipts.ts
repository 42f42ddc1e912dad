import type { ReceiptsPort } from '../core/ports.js';
import { toReleased, type ReleasedRow } from './messages.js';
import { Statement, type Raw } from './raw.js';
import { RELEASED_COLUMNS, word } from './rules.js';

const remember = new Statement('insert into provider_ids (provider_id, recipient_id) values (?, ?)');
const settle = new Statement(`update recipients set status = ?, updated_at = ?, error = ?
  where status = ${word('sent')} and provider_id = ? and id in (select recipient_id from provider_ids where provider_id = ?)
  returning ${RELEASED_COLUMNS.join(', ')}`);
const known = new Statement('select 1 as found from provider_ids where provider_id = ? limit 1');

export const receiptQueries = (raw: Raw): ReceiptsPort => ({
  async awaitReceipt(recipientId, providerId) {
    await raw.run(remember, [providerId, recipientId]);
  },

  async settleByProviderId(providerId, status, at, error) {
    return (await raw.all<ReleasedRow>(settle, [status, at, error, providerId, providerId])).map(toReleased);
  },

  async knowsProviderId(providerId) {
    return (await raw.all(known, [providerId])).length > 0;
  },
});
