import { defineDialect } from '../dialect.js';
import { DLR_FORMAT, renderSmsPartnerDlr } from './dlr.js';

/** SMS Partner (spec/sms-partner.md, docs/dialects/smspartner.md): code written for api.smspartner.fr/v1. */
export const smsPartner = defineDialect({
  name: 'smspartner',
  prefix: '/smspartner/v1',
  vendor: { hosts: ['api.smspartner.fr'], path: '/v1' },
  switches: { always200: 'RELAIS_SMSPARTNER_ALWAYS_200' },
  routes: async () => (await import('./index.js')).smsPartnerRoutes,
  callbackFormats: { [DLR_FORMAT]: renderSmsPartnerDlr },
  docs: {
    tag: 'SMS Partner',
    description: 'Drop-in api.smspartner.fr/v1: vendor request and answer formats (JSON or XML with `_format`), vendor error codes. See docs/dialects/smspartner.md.',
    securitySchemes: {
      smsPartnerKey: { type: 'apiKey', in: 'query', name: 'apiKey', description: 'SMS Partner: the API key in `apiKey` (query, form or JSON body)' },
    },
    summaries: {
      '/me': 'Account, credits and balance',
      '/send': 'Send or schedule an SMS to 1..500 numbers',
      '/bulk-send': 'Send or schedule one text per number',
      '/message-cancel': 'Cancel a scheduled message',
      '/message-cancel/:messageId': 'Cancel a scheduled message by id',
      '/message-status': 'Status of one recipient of a message',
      '/multi-status': 'Status of several (message, number) pairs',
      '/bulk-status': 'Status of every recipient of a message',
      '/bulk-status-by-tag': 'Status of every recipient of the messages with a tag',
      '/statistics/cost-resume': 'Cost summary over an interval',
      '/stop-sms/list': 'The STOP list',
      '/stop-sms/add': 'Add a number to the STOP list',
      '/stop-sms/delete': 'Remove a number from the STOP list',
      '/subaccount/create': 'Create a sub-account',
      '/subaccount/list': 'List the sub-accounts',
      '/subaccount/remove': 'Close a sub-account',
      '/subaccount/credit/add': 'Move credit to a sub-account',
      '/subaccount/credit/remove': 'Take credit back from a sub-account',
    },
  },
});
