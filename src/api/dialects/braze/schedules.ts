import { deleteBrazeSchedule, dispatchBraze, updateBrazeSchedule, type BrazeDispatch, type BrazeScheduleChange, type BrazeScheduleRef } from '../../../core/braze-schedules.js';
import type { Core } from '../../../core/context.js';
import { isRelaisError } from '../../../core/errors.js';
import type { BrazeTiming } from '../../../core/types.js';
import { booleanField, objectField, stringField, type BrazeBody } from './coerce.js';
import { BrazeError } from './errors.js';
import type { Bucket } from './rate.js';
import type { BrazeAnswer, BrazeContext } from './scope.js';

/**
 * What every Braze schedule endpoint shares (campaigns, canvases and API-defined messages): the
 * schedule object, the schedule id, and how create, update and delete answer.
 */

/** How many recipients an update or delete changed (0 when it came too late): Relais's answer to Braze's best effort. */
export const CHANGED_HEADER = 'x-relais-cancelled-recipients';

const badRequest = (reason: string) => new BrazeError(400, 'Bad Request', [reason]);

/** The `schedule` object (spec/braze.md §0.8); absent: undefined, or a 400 when `required`. */
export function readTiming(body: BrazeBody, required: boolean): BrazeTiming | undefined {
  let schedule: BrazeBody | undefined;
  try {
    schedule = objectField(body, 'schedule');
  } catch {
    throw badRequest('schedule must be an object');
  }
  if (!schedule) {
    if (required) throw badRequest('schedule is required');
    return undefined;
  }
  if (typeof schedule.time !== 'string') throw badRequest('schedule.time is required: an ISO 8601 date and time');
  try {
    return { time: schedule.time, inLocalTime: booleanField(schedule, 'in_local_time') ?? false, atOptimalTime: booleanField(schedule, 'at_optimal_time') ?? false };
  } catch (err) {
    throw isRelaisError(err) ? badRequest(`schedule.${err.message}`) : err;
  }
}

/** A string field the endpoint requires; a 400 naming it otherwise. */
export function requiredString(body: BrazeBody, name: string): string {
  let v: string | undefined;
  try {
    v = stringField(body, name);
  } catch {
    throw badRequest(`${name} must be a string`);
  }
  if (v === undefined || v === '') throw badRequest(`${name} is required`);
  return v;
}

export function optionalString(body: BrazeBody, name: string): string | undefined {
  try {
    return stringField(body, name);
  } catch {
    throw badRequest(`${name} must be a string`);
  }
}

/** A send's rate-limit group: a broadcast has its own, per minute (spec/braze.md §0.6). */
export const sendBucket = (body: BrazeBody): Bucket => (body.broadcast === true || body.broadcast === 'true' ? 'broadcast' : 'send');

/** The schedule a call names; a schedule core does not find for it is Braze's `Invalid schedule ID`. */
async function onSchedule<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isRelaisError(err) && err.code === 'not_found' && err.details.scheduleId !== undefined) throw new BrazeError(400, 'Invalid schedule ID');
    throw err;
  }
}

/** Braze's success with non-fatal problems (spec/braze.md §0.5): the users a broadcast left out. */
const minorErrors = (errors: string[]) => (errors.length ? { errors } : {});

/** A create: 201 with the ids (spec/braze.md §1, §4, §7). */
export async function createAnswer(core: Core, ctx: BrazeContext, dispatch: BrazeDispatch, timing: BrazeTiming, zone: string): Promise<BrazeAnswer> {
  const r = await dispatchBraze(core, ctx.auth.account.id, dispatch, timing, zone);
  return { status: 201, body: { dispatch_id: r.dispatchId, schedule_id: r.scheduleId, message: 'success', ...minorErrors(r.errors) } };
}

/** An immediate send: 201 with the dispatch id (and the send id when tracked). */
export async function sendAnswer(core: Core, ctx: BrazeContext, dispatch: BrazeDispatch, zone: string): Promise<BrazeAnswer> {
  const r = await dispatchBraze(core, ctx.auth.account.id, dispatch, null, zone);
  return { status: 201, body: { dispatch_id: r.dispatchId, ...(dispatch.sendId !== null && { send_id: dispatch.sendId }), message: 'success', ...minorErrors(r.errors) } };
}

export async function deleteAnswer(core: Core, ctx: BrazeContext, ref: BrazeScheduleRef): Promise<BrazeAnswer> {
  const n = await onSchedule(() => deleteBrazeSchedule(core, ctx.auth.account.id, ref));
  ctx.reply.header(CHANGED_HEADER, String(n));
  return { status: 200, body: { message: 'success' } };
}

export async function updateAnswer(core: Core, ctx: BrazeContext, ref: BrazeScheduleRef, change: BrazeScheduleChange, zone: string): Promise<BrazeAnswer> {
  const n = await onSchedule(() => updateBrazeSchedule(core, ctx.auth.account.id, ref, change, zone));
  ctx.reply.header(CHANGED_HEADER, String(n));
  return { status: 200, body: { message: 'success' } };
}
