import { Type, type Static } from 'typebox';
import { CAMPAIGN_LIMITS } from '../../core/campaigns.js';

// Field names are those of Braze's message objects (spec/braze.md §12): the dialect hands them on as they are.
const SmsTemplate = Type.Object({
  body: Type.String({ maxLength: CAMPAIGN_LIMITS.smsBody, description: 'Liquid template of the text' }),
  sender: Type.Optional(Type.String({ maxLength: 64, description: 'Sender id (1-11 letters/digits or a phone number); default: the account\'s' })),
}, { additionalProperties: false });

const EmailTemplate = Type.Object({
  subject: Type.String({ maxLength: CAMPAIGN_LIMITS.subject, description: 'Liquid template, one line' }),
  body: Type.String({ maxLength: CAMPAIGN_LIMITS.emailBody, description: 'Liquid template of the HTML body' }),
  plaintext_body: Type.Optional(Type.String({ maxLength: CAMPAIGN_LIMITS.plaintextBody, description: 'Liquid template of the text part' })),
  from: Type.Optional(Type.String({ maxLength: 320, description: '`address` or `Name <address>`; default: the account\'s sender, else RELAIS_MAIL_FROM' })),
  reply_to: Type.Optional(Type.String({ maxLength: 320 })),
}, { additionalProperties: false });

const Name = Type.String({ maxLength: CAMPAIGN_LIMITS.name, description: `1..${CAMPAIGN_LIMITS.name} characters, trimmed` });
const Tags = Type.Array(Type.String({ maxLength: CAMPAIGN_LIMITS.tag }), { maxItems: CAMPAIGN_LIMITS.tags, description: 'Labels, kept deduplicated' });

export const CreateCampaignBody = Type.Object({
  name: Name,
  tags: Type.Optional(Tags),
  messages: Type.Object({ sms: Type.Optional(SmsTemplate), email: Type.Optional(EmailTemplate) }, {
    additionalProperties: false, description: 'At least one channel',
  }),
}, { additionalProperties: false });
export type CreateCampaignBody = Static<typeof CreateCampaignBody>;

export const UpdateCampaignBody = Type.Object({
  name: Type.Optional(Name),
  tags: Type.Optional(Tags),
  messages: Type.Optional(Type.Object({
    sms: Type.Optional(Type.Union([SmsTemplate, Type.Null()])),
    email: Type.Optional(Type.Union([EmailTemplate, Type.Null()])),
  }, { additionalProperties: false, description: 'A channel given replaces that channel\'s content whole; null removes it; one channel at least must stay' })),
}, { additionalProperties: false, minProperties: 1 });

export const CampaignIdParams = Type.Object({ id: Type.String({ maxLength: 100, description: 'The UUID given at creation' }) });

export const CampaignView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'What Braze calls take as campaign_id / canvas_id' }),
  name: Type.String(),
  tags: Type.Array(Type.String()),
  messages: Type.Object({ sms: Type.Optional(SmsTemplate), email: Type.Optional(EmailTemplate) }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
