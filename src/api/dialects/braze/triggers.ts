import type { BrazeDispatch } from '../../../core/braze-schedules.js';
import { findCampaign } from '../../../core/campaigns.js';
import type { Core } from '../../../core/context.js';
import type { CampaignKind } from '../../../core/types.js';
import { objectField, type BrazeBody } from './coerce.js';
import { BrazeError } from './errors.js';
import { sendBucket, createAnswer, deleteAnswer, readTiming, requiredString, sendAnswer, updateAnswer, optionalString } from './schedules.js';
import type { BrazeContext, BrazeEndpoint } from './scope.js';
import { readAudience } from './targets.js';

/** API-triggered campaigns and canvases (spec/braze.md §1–§6, §11): the content is the campaign's or canvas's Liquid. */

interface Family {
  kind: CampaignKind;
  /** The URL segment and permission prefix: `campaigns` or `canvas`. */
  segment: 'campaigns' | 'canvas';
  idField: string;
  propertiesKey: string;
  invalid: string;
}

const FAMILIES: Family[] = [
  { kind: 'campaign', segment: 'campaigns', idField: 'campaign_id', propertiesKey: 'trigger_properties', invalid: 'Invalid Campaign ID' },
  { kind: 'canvas', segment: 'canvas', idField: 'canvas_id', propertiesKey: 'canvas_entry_properties', invalid: 'Invalid Canvas ID' },
];

/** The call's targets and its campaign's templates; an id the account has no campaign (canvas) for is Braze's `Invalid Campaign ID` (`Invalid Canvas ID`). */
async function triggerDispatch(core: Core, ctx: BrazeContext, f: Family, maxBroadcast: number): Promise<BrazeDispatch> {
  const body: BrazeBody = ctx.body;
  const id = requiredString(body, f.idField);
  if (body.attachments !== undefined && body.attachments !== null) throw new BrazeError(400, 'Bad Request', ['attachments are not supported']);
  let properties: BrazeBody | undefined;
  try {
    properties = objectField(body, f.propertiesKey);
  } catch {
    throw new BrazeError(400, 'Bad Request', [`${f.propertiesKey} must be an object`]);
  }
  const audience = readAudience(body, { propertiesKey: f.propertiesKey, recipients: true, ids: false, maxBroadcast });
  const campaign = await findCampaign(core, ctx.auth.account.id, f.kind, id);
  if (!campaign) throw new BrazeError(400, f.invalid);
  return {
    kind: f.kind, parentId: campaign.id, sendId: f.kind === 'campaign' ? optionalString(body, 'send_id') ?? null : null, audience, templates: campaign.messages,
    ...(properties && { properties: { ...properties } }),
    request: { recipients: body.recipients ?? null, broadcast: audience.broadcast },
  };
}

function familyEndpoints(core: Core, zone: string, maxBroadcast: number, f: Family): BrazeEndpoint[] {
  const base = `/${f.segment}/trigger/schedule`;
  const ref = (body: BrazeBody) => ({ kind: f.kind, parentId: requiredString(body, f.idField), scheduleId: requiredString(body, 'schedule_id') });
  return [
    {
      method: 'POST', path: `${base}/create`, permission: `${f.segment}.trigger.schedule.create`, bucket: 'schedule',
      handle: async (ctx) => {
        const timing = readTiming(ctx.body, true)!;
        return createAnswer(core, ctx, await triggerDispatch(core, ctx, f, maxBroadcast), timing, zone);
      },
    },
    {
      method: 'POST', path: `${base}/update`, permission: `${f.segment}.trigger.schedule.update`, bucket: 'schedule',
      handle: (ctx) => {
        const r = ref(ctx.body);
        return updateAnswer(core, ctx, r, { timing: readTiming(ctx.body, true)!, request: {} }, zone);
      },
    },
    {
      method: 'POST', path: `${base}/delete`, permission: `${f.segment}.trigger.schedule.delete`, bucket: 'schedule',
      handle: (ctx) => deleteAnswer(core, ctx, ref(ctx.body)),
    },
  ];
}

export function triggerEndpoints(core: Core, zone: string, maxBroadcast: number): BrazeEndpoint[] {
  return [
    ...FAMILIES.flatMap((f) => familyEndpoints(core, zone, maxBroadcast, f)),
    {
      method: 'POST', path: '/campaigns/trigger/send', permission: 'campaigns.trigger.send', bucket: 'send',
      bucketOf: sendBucket,
      handle: async (ctx) => sendAnswer(core, ctx, await triggerDispatch(core, ctx, FAMILIES[0]!, maxBroadcast), zone),
    },
  ];
}
