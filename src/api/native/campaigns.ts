import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createCampaign, deleteCampaign, getCampaign, listCampaigns, updateCampaign } from '../../core/campaigns.js';
import type { Core } from '../../core/context.js';
import type { CampaignKind } from '../../core/types.js';
import { campaignView } from '../../views/campaign.js';
import { authOf, requireKey } from '../auth.js';
import { json, problems } from '../openapi.js';
import { CampaignIdParams, CampaignView, CreateCampaignBody, UpdateCampaignBody } from './campaign-schemas.js';
import { pageOf, PageQuery } from './schemas.js';

/** Where each kind lives: Braze calls name a campaign by `campaign_id`, a canvas by `canvas_id`. */
const PATHS: Record<CampaignKind, string> = { campaign: '/campaigns', canvas: '/canvases' };

/** Braze campaigns and canvases (DESIGN.md, "Decisions"): the same five routes for each kind. */
export const campaignRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const read = requireKey(core, 'campaigns:read');
  const write = requireKey(core, 'campaigns:write');

  for (const [kind, path] of Object.entries(PATHS) as [CampaignKind, string][]) {
    const tags = ['campaigns'];
    const one = `${path}/:id`;

    app.post(path, {
      schema: { tags, summary: `Define a Braze ${kind}: its name and Liquid content per channel`, body: CreateCampaignBody, response: { 201: json(`The ${kind}`, CampaignView), ...problems(400, 401, 403, 413, 503) } },
      onRequest: write,
    }, async (request, reply) => {
      const c = await createCampaign(core, authOf(request).account.id, kind, request.body);
      return reply.code(201).header('location', `${app.prefix}${path}/${c.id}`).send(campaignView(c));
    });

    app.get(path, {
      schema: { tags, summary: `List the ${kind === 'campaign' ? 'campaigns' : 'canvases'}, newest first`, querystring: PageQuery, response: { 200: json('A page', pageOf(CampaignView)), ...problems(400, 401, 403, 503) } },
      onRequest: read,
    }, async (request) => {
      const page = await listCampaigns(core, authOf(request).account.id, kind, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { items: page.items.map(campaignView), nextCursor: page.nextCursor };
    });

    app.get(one, {
      schema: { tags, summary: `One ${kind}`, params: CampaignIdParams, response: { 200: json(`The ${kind}`, CampaignView), ...problems(400, 401, 403, 404, 503) } },
      onRequest: read,
    }, async (request) =>
      campaignView(await getCampaign(core, authOf(request).account.id, kind, request.params.id)));

    app.patch(one, {
      schema: { tags, summary: `Change a ${kind}'s name, tags or content`, params: CampaignIdParams, body: UpdateCampaignBody, response: { 200: json(`The ${kind} as changed`, CampaignView), ...problems(400, 401, 403, 404, 409, 413, 503) } },
      onRequest: write,
    }, async (request) =>
      campaignView(await updateCampaign(core, authOf(request).account.id, kind, request.params.id, request.body)));

    app.delete(one, {
      schema: { tags, summary: `Delete a ${kind}`, params: CampaignIdParams, response: { 204: { description: 'Deleted; no body' }, ...problems(400, 401, 403, 404, 503) } },
      onRequest: write,
    }, async (request, reply) => {
      await deleteCampaign(core, authOf(request).account.id, kind, request.params.id);
      return reply.code(204).send();
    });
  }
};
