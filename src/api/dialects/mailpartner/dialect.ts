import { defineDialect } from '../dialect.js';

/** Mail Partner (spec/mail-partner.md, docs/dialects/mailpartner.md): code written for api.mailpartner.fr/v1. */
export const mailPartner = defineDialect({
  name: 'mailpartner',
  prefix: '/mailpartner/v1',
  vendor: { hosts: ['api.mailpartner.fr'], path: '/v1' },
  switches: { always200: 'RELAIS_MAILPARTNER_ALWAYS_200' },
  routes: async () => (await import('./index.js')).mailPartnerRoutes,
  // Mail Partner takes no status-callback URL.
  callbackFormats: {},
  docs: {
    tag: 'Mail Partner',
    description: 'Drop-in api.mailpartner.fr/v1: vendor request and answer formats (JSON or XML with `_format`), vendor error codes. See docs/dialects/mailpartner.md.',
    securitySchemes: {
      mailPartnerKey: { type: 'apiKey', in: 'query', name: 'apiKey', description: 'Mail Partner: the API key in `apiKey` (query or JSON body)' },
    },
    summaries: {
      '/me': 'Account, mail credits and balance',
      '/send': 'Send or schedule a mail to 1..500 addresses',
      '/message-cancel': 'Cancel a scheduled mail',
      '/message-cancel/:messageId': 'Cancel a scheduled mail by id',
      '/bulk-status': 'Status of every recipient of a mail',
      '/message-status': 'Status of every recipient of a mail (alias of /bulk-status)',
      '/unsubscribe/list': 'The unsubscribe list',
      '/unsubscribe/add': 'Add an address to the unsubscribe list',
      '/unsubscribe/delete': 'Remove an address from the unsubscribe list',
      '/subaccount/create': 'Create a sub-account',
      '/subaccount/list': 'List the sub-accounts',
      '/subaccount/remove': 'Close a sub-account',
      '/subaccount/credit/add': 'Move credit to a sub-account',
      '/subaccount/credit/remove': 'Take credit back from a sub-account',
    },
  },
});
