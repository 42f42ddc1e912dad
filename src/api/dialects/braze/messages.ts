import type { BrazeDispatch } from '../../../core/braze-schedules.js';
import type { Core } from '../../../core/context.js';
import { booleanField, type BrazeBody } from './coerce.js';
import { BrazeError } from './errors.js';
import { readMessages } from './message-objects.js';
import { sendBucket, createAnswer, optionalString, readTiming, requiredString, sendAnswer, deleteAnswer, updateAnswer } from './schedules.js';
import type { BrazeEndpoint } from './scope.js';
import { readAudience } from './targets.js';

/** API-defined messages (spec/braze.md §7–§9, §12): content in the call, no campaign. */

const SUBSCRIPTION_STATES = ['opted_in', 'subscribed', 'all'];

/** The targeting and content shared by /messages/send and /messages/schedule/create. */
function messagesDispatch(body: BrazeBody, maxBroadcast: number): BrazeDispatch {
  const campaignId = optionalString(body, 'campaign_id');
  const state = optionalString(body, 'recipient_subscription_state');
  if (state !== undefined && !SUBSCRIPTION_STATES.includes(state)) throw new BrazeError(400, 'Bad Request', [`recipient_subscription_state must be one of ${SUBSCRIPTION_STATES.join(', ')}`]);
  for (const flag of ['override_messaging_limits', 'override_frequency_capping']) {
    try {
      booleanField(body, flag);
    } catch {
      throw new BrazeError(400, 'Bad Request', [`${flag} must be true or false`]);
    }
  }
  const audience = readAudience(body, { propertiesKey: 'trigger_properties', recipients: false, ids: true, maxBroadcast });
  const templates = readMessages(body, { campaignId, required: true })!;
  return {
    kind: 'messages', parentId: campaignId ?? null, sendId: optionalString(body, 'send_id') ?? null, audience, templates,
    request: { external_user_ids: body.external_user_ids ?? null, user_aliases: body.user_aliases ?? null, broadcast: audience.broadcast, messages: body.messages },
  };
}

export function messagesEndpoints(core: Core, zone: string, maxBroadcast: number): BrazeEndpoint[] {
  return [
    {
      method: 'POST', path: '/messages/schedule/create', permission: 'messages.schedule.create', bucket: 'schedule',
      handle: (ctx) => {
        const timing = readTiming(ctx.body, true)!;
        return createAnswer(core, ctx, messagesDispatch(ctx.body, maxBroadcast), timing, zone);
      },
    },
    {
      method: 'POST', path: '/messages/schedule/update', permission: 'messages.schedule.update', bucket: 'schedule',
      handle: (ctx) => {
        const scheduleId = requiredString(ctx.body, 'schedule_id');
        const timing = readTiming(ctx.body, false);
        const templates = readMessages(ctx.body, { campaignId: undefined, required: false });
        if (!timing && !templates) throw new BrazeError(400, 'Bad Request', ['give schedule, messages or both']);
        return updateAnswer(core, ctx, { scheduleId, kind: 'messages' }, { timing, templates, request: {} }, zone);
      },
    },
    {
      method: 'POST', path: '/messages/schedule/delete', permission: 'messages.schedule.delete', bucket: 'schedule',
      handle: (ctx) => deleteAnswer(core, ctx, { scheduleId: requiredString(ctx.body, 'schedule_id'), kind: 'messages' }),
    },
    {
      method: 'POST', path: '/messages/send', permission: 'messages.send', bucket: 'send',
      bucketOf: sendBucket,
      handle: (ctx) => sendAnswer(core, ctx, messagesDispatch(ctx.body, maxBroadcast), zone),
    },
  ];
}
