import { normalizePhone } from './addresses.js';
import type { Core, InboundOutcome } from './context.js';
import { receiptAt } from './receipts.js';
import { addSuppression } from './suppressions.js';
import type { InboundMessage } from './transport.js';

/** How far back a STOP looks for the SMS it answers (DECISIONS.md §38). */
export const ATTRIBUTION_WINDOW_MS = 30 * 86_400_000;
/** Most recipients a STOP reads to find its account: the handset's latest SMS in the window. */
const ATTRIBUTION_ROWS = 200;

/** The texts that mean STOP: the word alone or with SMS / ALL, its French form ARRET, any case, spaces and trailing punctuation ignored. */
const STOP = /^(?:stop(?:\s*(?:sms|all))?|arr[eê]t)[\s.!]*$/iu;

export const isStop = (text: string): boolean => STOP.test(text.trim());

/** What an inbound message did, and to which account when a STOP was applied. */
export interface InboundResult {
  outcome: InboundOutcome;
  accountId?: number;
}

/**
 * A mobile-originated message (Transport.inbound). A STOP from handset `from` to sender `to`
 * through `transport` is put on the STOP list of the one account that sent an SMS to `from`
 * through that transport with sender `to` within ATTRIBUTION_WINDOW_MS (addSuppression cancels
 * and refunds that number's scheduled SMS), the sender being the one recorded with the send; no
 * such account, or several, and it is only counted (and logged by the caller). Any other text is
 * counted too: Relais has no inbox.
 */
export async function recordInbound(core: Core, transport: string, message: InboundMessage): Promise<InboundResult> {
  const result = await attribute(core, transport, message);
  core.observer.inbound(transport, result.outcome);
  return result;
}

async function attribute(core: Core, transport: string, message: InboundMessage): Promise<InboundResult> {
  if (!isStop(message.text)) return { outcome: 'other' };
  let from: string;
  try {
    from = normalizePhone(message.from, core.defaultRegion);
  } catch {
    return { outcome: 'unattributed' };
  }
  const to = senderKey(message.to, core);
  // The provider's `at` is unchecked input, believed within the bounds a receipt's is.
  const since = receiptAt(message.at, core.clock.now()) - ATTRIBUTION_WINDOW_MS;
  const sent = await core.store.autocommit.smsSentTo(from, transport, since, ATTRIBUTION_ROWS);
  // A send without a recorded sender went out with the provider's own default, which Relais does
  // not know: matching it to any `to` could give one account the STOP meant for another's number.
  const accounts = new Set(sent.filter((s) => s.sender !== null && senderKey(s.sender, core) === to).map((s) => s.accountId));
  if (accounts.size !== 1) return { outcome: accounts.size === 0 ? 'unattributed' : 'ambiguous' };
  const [accountId] = accounts;
  await addSuppression(core, accountId, 'sms', from, 'STOP by SMS');
  return { outcome: 'stopped', accountId };
}

/** A sender as compared: a number in E.164, an alphanumeric name (or a short code) lower-cased without spaces. */
function senderKey(sender: string, core: Core): string {
  try {
    return normalizePhone(sender, core.defaultRegion);
  } catch {
    return sender.replace(/\s+/g, '').toLowerCase();
  }
}
