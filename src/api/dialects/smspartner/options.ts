import type { PartnerEndpointOptions } from '../partner/vendor.js';

/** How the SMS Partner dialect is mounted (config); its route modules and index.ts share it. */
export interface SmsPartnerOptions extends PartnerEndpointOptions {
  /** Errors answered with HTTP 200 (RELAIS_SMSPARTNER_ALWAYS_200). */
  always200: boolean;
}
