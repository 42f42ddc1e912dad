import { validateContent } from './content.js';
import { renderTemplate as renderOne, type RenderContext } from './liquid.js';
import type { BrazeScheduleKind, CampaignMessages, Message, MessageContent, User } from './types.js';
import { userTemplateData } from './users.js';

/** What a Braze message renders from: the Liquid per channel of its call, and the call's properties. */
export interface BrazeSource {
  kind: BrazeScheduleKind;
  templates: CampaignMessages;
  properties?: Record<string, unknown>;
}

/**
 * What each Braze message keeps (its metadata `braze`): whom it renders for, the zone it was timed
 * in, and where its templates are at the claim (DECISIONS §35): its schedule's row, or for a send
 * (no row) the source itself. A message made before rendering moved to the claim has neither.
 */
export interface BrazeMessageUser {
  userId: number;
  externalId: string | null;
  timeZone: string;
  scheduleId?: string;
  source?: BrazeSource;
  /** The recipient's own trigger (canvas entry) properties, which win key by key over the call's. */
  properties?: Record<string, unknown>;
}

export const brazeUserOf = (m: Pick<Message, 'metadata'>): BrazeMessageUser | undefined => m.metadata?.braze as BrazeMessageUser | undefined;

export const renderContext = (kind: BrazeScheduleKind, user: User, properties: Record<string, unknown> | undefined, now: number): RenderContext => ({
  ...userTemplateData(user), now,
  ...(kind === 'canvas' ? { canvasEntryProperties: properties } : { apiTriggerProperties: properties }),
});

/** One template rendered: liquid.ts's, or a RenderSession's (one call's renders under one budget). */
type Render = (source: string, ctx: RenderContext, field: string) => string;

/**
 * A channel's templates rendered over `base`, which holds what they do not say (sender, From,
 * Reply-To), validated. Synchronous: the claim renders inside its transaction.
 */
export function renderOver(base: MessageContent, templates: CampaignMessages, ctx: RenderContext, renderTemplate: Render = renderOne): MessageContent {
  if (base.channel === 'sms') return validateContent('sms', { ...base, text: renderTemplate(templates.sms!.body, ctx, 'messages.sms.body') });
  if (base.channel !== 'email') throw new Error(`Braze renders no ${base.channel} message`);
  const email = templates.email!;
  return validateContent('email', {
    ...base, subject: renderTemplate(email.subject, ctx, 'messages.email.subject'), html: renderTemplate(email.body, ctx, 'messages.email.body'),
    text: email.plaintext_body === undefined ? null : renderTemplate(email.plaintext_body, ctx, 'messages.email.plaintext_body'),
  });
}
