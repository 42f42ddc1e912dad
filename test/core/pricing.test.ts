import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PRICING, priceOf, type Pricing } from '../../src/core/pricing.js';

const sms = (text: string, unicode = false) => ({ channel: 'sms' as const, text, sender: null, unicode });

describe('priceOf', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(DEFAULT_PRICING, { smsPerSegment: 45, email: 2, voice: 150 });
  });

  it('bills SMS per segment', () => {
    assert.deepEqual(priceOf(DEFAULT_PRICING, sms('hello')), { units: 1, unitPrice: 45 });
    assert.deepEqual(priceOf(DEFAULT_PRICING, sms('a'.repeat(161))), { units: 2, unitPrice: 90 });
    assert.deepEqual(priceOf(DEFAULT_PRICING, sms('a'.repeat(307))), { units: 3, unitPrice: 135 });
  });

  it('bills SMS in UCS-2 when the unicode flag is set or the text needs it', () => {
    assert.deepEqual(priceOf(DEFAULT_PRICING, sms('a'.repeat(71), true)), { units: 2, unitPrice: 90 });
    assert.deepEqual(priceOf(DEFAULT_PRICING, sms('🙂'.repeat(36))), { units: 2, unitPrice: 90 });
  });

  it('bills one unit for e-mail and voice', () => {
    const email = { channel: 'email' as const, subject: 's', text: 'x'.repeat(5000), html: null, from: null, replyTo: null };
    const voice = { channel: 'voice' as const, text: 'bonjour', audioUrl: null, sender: null };
    assert.deepEqual(priceOf(DEFAULT_PRICING, email), { units: 1, unitPrice: 2 });
    assert.deepEqual(priceOf(DEFAULT_PRICING, voice), { units: 1, unitPrice: 150 });
  });

  it('uses the given pricing', () => {
    const pricing: Pricing = { smsPerSegment: 38, email: 1, voice: 0 };
    assert.deepEqual(priceOf(pricing, sms('a'.repeat(200))), { units: 2, unitPrice: 76 });
    assert.deepEqual(priceOf(pricing, { channel: 'voice', text: null, audioUrl: 'https://x/a.mp3', sender: null }), {
      units: 1,
      unitPrice: 0,
    });
  });
});
