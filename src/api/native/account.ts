import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/context.js';
import { formatCredits } from '../../core/money.js';
import { listLedger, listOutbox } from '../../core/queries.js';
import { addSuppression, listSuppressions, removeSuppression } from '../../core/suppressions.js';
import { getAccount } from '../../core/accounts.js';
import { RelaisError } from '../../core/errors.js';
import { authOf, requireKey } from '../auth.js';
import { accountView } from '../../views/account.js';
import { AddSuppressionBody, OutboxQuery, PageQuery, SuppressionParams, SuppressionQuery } from './schemas.js';
import { ledgerView, outboxView, suppressionAddedView, suppressionView } from '../../views/native.js';

/** Balance and ledger, suppression lists, and the outbox of the key's account. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const accountRead = requireKey(core, 'account:read');

  app.get('/account', { schema: { tags: ['account'] }, onRequest: accountRead }, async (request) =>
    accountView(await getAccount(core, authOf(request).account.id)));

  app.get('/ledger', { schema: { tags: ['account'], querystring: PageQuery }, onRequest: accountRead }, async (request) => {
    const accountId = authOf(request).account.id;
    const page = await listLedger(core, accountId, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
    const account = await getAccount(core, accountId);
    return { balance: formatCredits(account.balance), currency: account.currency, items: page.items.map(ledgerView), nextCursor: page.nextCursor };
  });

  app.get('/suppressions', { schema: { tags: ['suppressions'], querystring: SuppressionQuery }, onRequest: requireKey(core, 'messages:read') }, async (request) => ({
    items: (await listSuppressions(core, authOf(request).account.id, request.query.channel)).map(suppressionView),
  }));

  app.post('/suppressions', { schema: { tags: ['suppressions'], body: AddSuppressionBody }, onRequest: requireKey(core, 'suppressions:write') }, async (request, reply) => {
    const r = await addSuppression(core, authOf(request).account.id, request.body.channel, request.body.address, request.body.reason ?? null);
    return reply.code(r.added ? 201 : 200).send(suppressionAddedView(r));
  });

  app.delete('/suppressions/:channel/:address', { schema: { tags: ['suppressions'], params: SuppressionParams }, onRequest: requireKey(core, 'suppressions:write') }, async (request, reply) => {
    await removeSuppression(core, authOf(request).account.id, request.params.channel, request.params.address);
    return reply.code(204).send();
  });

  app.get('/outbox', { schema: { tags: ['outbox'], querystring: OutboxQuery }, onRequest: requireKey(core, 'messages:read') }, async (request) => {
    const page = await listOutbox(core, { accountId: authOf(request).account.id, messageId: request.query.messageId, limit: request.query.limit ?? 50, cursor: request.query.cursor });
    return { items: page.items.map(outboxView), nextCursor: page.nextCursor };
  });

  app.get('/outbox/latest', { schema: { tags: ['outbox'] }, onRequest: requireKey(core, 'messages:read') }, async (request) => {
    const page = await listOutbox(core, { accountId: authOf(request).account.id, limit: 1 });
    if (!page.items[0]) throw new RelaisError('not_found', 'the outbox is empty');
    return outboxView(page.items[0]);
  });
};
