import type { Core } from './context.js';
import { scheduleMessage, type Scheduled, type ScheduleInput } from './schedule.js';
import { scheduleVoiceMessage } from './voice.js';

/** Schedules a message of any channel as the native API and the CLI take it: a voice message's text is spoken (core/voice.ts). */
export const scheduleAnyMessage = (core: Core, accountId: number, input: ScheduleInput): Promise<Scheduled> =>
  (input.content.channel === 'voice' ? scheduleVoiceMessage(core, accountId, { ...input, content: input.content }) : scheduleMessage(core, accountId, input));
