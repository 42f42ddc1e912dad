import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { StatusCallbackRequest } from './provider-callbacks.js';
import { recordReceipt } from './receipts.js';
import type { ReceiptOutcome } from './transport.js';

/**
 * Records the receipts of one status callback, each as the dispatcher records a transport's
 * (core/receipts.ts), which counts them. A token that is not the transport's is `not_found`, as
 * an unknown path: nothing tells a prober that the transport exists. A body the transport's
 * reader cannot take is `invalid_request`, one it refuses (a provider's request signature
 * missing or wrong) `forbidden`: nothing recorded.
 */
export async function receiveStatusCallback(core: Core, transport: string, token: string, request: Omit<StatusCallbackRequest, 'url'>): Promise<ReceiptOutcome[]> {
  const read = core.providerCallbacks.reader(transport, token);
  if (!read) throw new RelaisError('not_found', 'no such status callback URL');
  const reading = read({ ...request, url: core.providerCallbacks.url(transport) });
  if ('refused' in reading) throw new RelaisError('forbidden', `not a status callback of the ${transport} transport's provider: ${reading.refused}`);
  if ('invalid' in reading) throw new RelaisError('invalid_request', `not a status callback of the ${transport} transport: ${reading.invalid}`);
  const outcomes: ReceiptOutcome[] = [];
  for (const receipt of reading.receipts) {
    outcomes.push(await recordReceipt(core, transport, receipt));
  }
  return outcomes;
}
