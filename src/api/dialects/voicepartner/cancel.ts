import { cancelVoiceCampaign } from '../../../core/voice.js';
import { RelaisError } from '../../../core/errors.js';
import { formatCredits } from '../../../core/money.js';
import type { AuthedContext, PartnerRouter } from '../partner/scope.js';
import type { DialectContext } from '../dialect.js';
import { BAD_REQUEST, CANCEL_UNAUTHORIZED } from './errors.js';

/**
 * Seed 000's control codes: every refusal is 400 `Mauvaise requête`, a wrong or missing key 401
 * with body code 10 `Action non autorisé.` (a key without the scope: the table's 403, code 10).
 */
const ERRORS = { unauthorized: CANCEL_UNAUTHORIZED, invalid_request: BAD_REQUEST };

/** The refund as the vendor writes `assignedCredit`: euros as a string, no trailing zeros (`"1.8"`). */
const refunded = (credits: number): string => String(Number(formatCredits(credits)));

/**
 * DELETE /v1/campaign/cancel/{apiKey}/{campaignId} (seed 000, spec §7), and the query form
 * `?apiKey=&campaignId=`: a scheduled call is cancelled and refunded once, whatever the
 * concurrency; unknown or another account's is 404, sent, cancelled, immediate or within the
 * cutoff is 400 (the dialect's table).
 */
export function cancelRoutes(route: PartnerRouter, opts: DialectContext): void {
  const cancel = async ({ auth, params, request }: AuthedContext) => {
    const id = (request.params as { campaignId?: string }).campaignId?.trim() || params.str('campaignId')?.trim();
    if (!id) throw new RelaisError('invalid_request', 'campaignId is required', { field: 'campaignId' });
    const r = await cancelVoiceCampaign(opts.core, auth.account.id, id, opts.cancelCutoffMs);
    return { success: true, campaignId: id, assignedCredit: refunded(r.refund), currency: 'EUR' };
  };
  route(['DELETE'], '/campaign/cancel/:apiKey/:campaignId', cancel, { scope: 'messages:write', keyParam: 'apiKey', errors: ERRORS });
  route(['DELETE'], '/campaign/cancel', cancel, { scope: 'messages:write', errors: ERRORS });
}
