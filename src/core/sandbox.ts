import type { Core } from './context.js';
import { prepareMessage, type PreparedMessage, type ScheduleInput } from './schedule.js';

/**
 * A sandbox send: the same validation, pricing and suppression rules as a real one, and
 * nothing written, sent or billed. The answer is what the real send would have cost.
 */
export function quoteMessage(core: Core, accountId: number, input: ScheduleInput): Promise<PreparedMessage> {
  return prepareMessage(core, accountId, input);
}
