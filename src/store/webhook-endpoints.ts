import { sql, type Kysely, type Selectable } from 'kysely';
import type { WebhookEndpointsPort } from '../core/ports.js';
import type { WebhookEndpoint } from '../core/types.js';
import type { Database, WebhookEndpointTable } from './schema.js';
import { toWebhook } from './webhooks.js';

// Stored between commas so that one LIKE finds a subscription (webhooks.ts, `subscribed`).
const storeEvents = (events: string[]): string => `,${events.join(',')},`;

const toEndpoint = (r: Omit<Selectable<WebhookEndpointTable>, 'secret'>): WebhookEndpoint => ({
  id: Number(r.id), accountId: Number(r.account_id), url: r.url, events: r.events.split(',').filter((e) => e !== ''),
  description: r.description, createdAt: Number(r.created_at),
});

const PUBLIC_COLUMNS = ['id', 'account_id', 'url', 'events', 'description', 'created_at'] as const;

export const webhookEndpointQueries = (db: Kysely<Database>): WebhookEndpointsPort => ({
  async insertWebhookEndpoint(e, max) {
    // The bound in the insert itself: two creations at once may both pass it (one over, at most per racing request).
    const row = await db.insertInto('webhook_endpoints')
      .columns(['account_id', 'url', 'events', 'description', 'secret', 'created_at'])
      .expression(db.selectNoFrom([
        sql<number>`cast(${e.accountId} as bigint)`.as('account_id'), sql<string>`cast(${e.url} as text)`.as('url'),
        sql<string>`cast(${storeEvents(e.events)} as text)`.as('events'), sql<string>`cast(${e.description} as text)`.as('description'),
        sql<string>`cast(${e.secret} as text)`.as('secret'), sql<number>`cast(${e.createdAt} as bigint)`.as('created_at'),
      ]).where(sql<boolean>`(select count(*) from webhook_endpoints where account_id = ${e.accountId}) < ${max}`))
      .returning(PUBLIC_COLUMNS).executeTakeFirst();
    return row && toEndpoint(row);
  },

  async listWebhookEndpoints(accountId, page) {
    let q = db.selectFrom('webhook_endpoints').select(PUBLIC_COLUMNS).where('account_id', '=', accountId).orderBy('id').limit(page.limit);
    if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
    return (await q.execute()).map(toEndpoint);
  },

  async findWebhookEndpoint(accountId, id) {
    const row = await db.selectFrom('webhook_endpoints').select(PUBLIC_COLUMNS).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && toEndpoint(row);
  },

  async webhookEndpointSecret(id) {
    const row = await db.selectFrom('webhook_endpoints').select(['account_id', 'secret']).where('id', '=', id).executeTakeFirst();
    return row && { accountId: Number(row.account_id), secret: row.secret };
  },

  async deleteWebhookEndpoint(accountId, id) {
    const r = await db.deleteFrom('webhook_endpoints').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) return false;
    const deliveries = db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', id);
    await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute();
    await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    return true;
  },

  async listEndpointDeliveries(endpointId, page) {
    let q = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(page.limit);
    if (page.beforeId !== undefined) q = q.where('id', '<', page.beforeId);
    const deliveries = (await q.execute()).map(toWebhook);
    if (deliveries.length === 0) return [];
    const attempts = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveries.map((d) => d.id))
      .orderBy('delivery_id').orderBy('attempt').execute();
    return deliveries.map((d) => ({
      ...d,
      attemptLog: attempts.filter((a) => Number(a.delivery_id) === d.id)
        .map((a) => ({ attempt: a.attempt, at: Number(a.at), httpStatus: a.http_status, error: a.error })),
    }));
  },
});
