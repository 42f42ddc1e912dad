import { RelaisError } from './errors.js';
import { countSmsSegments } from './segments.js';
import type { Channel, MessageContent } from './types.js';

/** Concatenated SMS beyond this many segments are refused (SMS Partner's limit, code 52). */
export const MAX_SMS_SEGMENTS = 10;
const SENDER = /^(?:[A-Za-z0-9 .\-_&+']{1,11}|\+?\d{3,15})$/;

const invalid = (field: string, message: string) => new RelaisError('invalid_request', message, { field });

/** The fields each channel's content has; anything else (an e-mail subject on an SMS…) is refused. */
const CONTENT_FIELDS: Record<Channel, readonly string[]> = {
  sms: ['channel', 'text', 'sender', 'unicode'],
  email: ['channel', 'subject', 'text', 'html', 'from', 'replyTo'],
  voice: ['channel', 'text', 'audioUrl', 'sender'],
};

/** Checks what a channel needs to be sendable; returns the content as it will be stored. */
export function validateContent(channel: Channel, content: MessageContent): MessageContent {
  if (content.channel !== channel) throw invalid('channel', `content is for ${content.channel}, message is for ${channel}`);
  const stray = Object.keys(content).find((f) => !CONTENT_FIELDS[channel].includes(f));
  if (stray) throw invalid(stray, `${stray} does not apply to ${channel} messages`);
  switch (content.channel) {
    case 'sms': {
      if (!content.text) throw invalid('text', 'text must not be empty');
      if (content.sender !== null && !SENDER.test(content.sender)) {
        throw new RelaisError('invalid_sender', 'sender must be 1-11 letters/digits or a phone number', { field: 'sender' });
      }
      const { segments } = countSmsSegments(content.text, { unicode: content.unicode });
      if (segments > MAX_SMS_SEGMENTS) {
        throw new RelaisError('message_too_long', `text needs ${segments} SMS segments; the limit is ${MAX_SMS_SEGMENTS}`, { field: 'text', segments });
      }
      return content;
    }
    case 'email':
      if (!content.subject) throw invalid('subject', 'subject must not be empty');
      if (!content.text && !content.html) throw invalid('text', 'an e-mail needs text or html');
      return content;
    case 'voice':
      if (!content.text && !content.audioUrl) throw invalid('text', 'a voice message needs text or audioUrl');
      return content;
  }
}
