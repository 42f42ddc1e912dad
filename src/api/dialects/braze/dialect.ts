import { defineDialect } from '../dialect.js';
import type { BrazeRates } from './rate.js';

/** Braze's REST clusters (US-01…08 and US-10, EU-01/02, AU-01): the API lives at the host's root. */
const CLUSTERS = [
  ...['01', '02', '03', '04', '05', '06', '07', '08'].map((n) => `rest.iad-${n}.braze.com`),
  'rest.us-10.braze.com', 'rest.fra-01.braze.eu', 'rest.fra-02.braze.eu', 'rest.au-01.braze.com',
];

/** Braze (spec/braze.md, docs/dialects/braze.md): code written for a Braze REST endpoint. */
export const braze = defineDialect<never, keyof BrazeRates | 'maxBroadcast'>({
  name: 'braze',
  prefix: '/braze',
  vendor: { hosts: CLUSTERS, path: '/' },
  switches: {},
  settings: {
    scheduleRate: 'RELAIS_BRAZE_RATE_SCHEDULE_PER_HOUR',
    sendRate: 'RELAIS_BRAZE_RATE_SEND_PER_HOUR',
    broadcastRate: 'RELAIS_BRAZE_RATE_BROADCAST_PER_MINUTE',
    usersTrackRate: 'RELAIS_BRAZE_RATE_USERS_TRACK_PER_3S',
    maxBroadcast: 'RELAIS_BRAZE_MAX_BROADCAST',
  },
  routes: async () => (await import('./index.js')).brazeRoutes,
  callbackFormats: {},
  docs: {
    tag: 'Braze',
    description: 'Drop-in Braze REST endpoint: Bearer keys with Braze permission names, the `{"message": …}` envelope, X-RateLimit-* headers. See docs/dialects/braze.md.',
    securitySchemes: {
      brazeKey: { type: 'http', scheme: 'bearer', description: 'Braze: the REST API key as `Authorization: Bearer <key>` (legacy clients: `api_key` in the JSON body)' },
    },
    summaries: {
      '/users/track': 'Create or update users: addresses, time zone, custom attributes',
    },
  },
});
