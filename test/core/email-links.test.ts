import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createEmailLinks, type LinkRef } from '../../src/core/email-links.js';
import { FakeClock } from '../helpers/clock.js';

const KEY = Buffer.alloc(32, 7);
const TTL = 90 * 86_400_000;
const REF: LinkRef = { accountId: 12, messageId: 3456, recipientId: 789, address: 'Zoë@example.com' };

function links(o: { key?: Buffer; baseUrl?: string; clock?: FakeClock } = {}) {
  return createEmailLinks({ key: () => o.key ?? KEY, baseUrl: o.baseUrl ?? 'https://relais.example.org', ttlMs: TTL, clock: o.clock ?? new FakeClock() });
}

const tokenOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

/** A token whose body is `fields` as JSON, correctly signed: what only a holder of the key could write. */
const signed = (purpose: string, body: string): string =>
  `${body}.${createHmac('sha256', KEY).update(`${purpose}.${body}`).digest('base64url')}`;
const jsonBody = (fields: unknown): string => Buffer.from(JSON.stringify(fields)).toString('base64url');

describe('core/email-links: signed unsubscribe and read-online links', () => {
  it('round trip: the URL is the public base, the purpose\'s path and the token; verify gives the reference back', () => {
    const l = links();
    const u = l.url('unsubscribe', REF);
    const v = l.url('view', REF);
    assert.match(u, /^https:\/\/relais\.example\.org\/u\/[\w-]+\.[\w-]{43}$/);
    assert.match(v, /^https:\/\/relais\.example\.org\/view\/[\w-]+\.[\w-]{43}$/);
    assert.deepEqual(l.verify('unsubscribe', tokenOf(u)), REF);
    assert.deepEqual(l.verify('view', tokenOf(v)), REF);
    assert.equal(links({ baseUrl: 'https://example.org/relais/' }).url('view', REF), `https://example.org/relais/view/${tokenOf(v)}`, 'a path prefix kept, its trailing slash not doubled');
  });

  it('purposes are separate: a token signed for one does not verify for the other', () => {
    const l = links();
    assert.equal(l.verify('view', tokenOf(l.url('unsubscribe', REF))), undefined);
    assert.equal(l.verify('unsubscribe', tokenOf(l.url('view', REF))), undefined);
  });

  it('any one character changed, added or removed: undefined (the signature\'s spare bits included)', () => {
    const l = links();
    const token = tokenOf(l.url('unsubscribe', REF));
    for (let i = 0; i < token.length; i++) {
      for (const c of ['A', 'B', 'Q', 'g', '_', '.']) {
        if (token[i] === c) continue;
        const altered = token.slice(0, i) + c + token.slice(i + 1);
        assert.equal(l.verify('unsubscribe', altered), undefined, `${i}: ${altered}`);
      }
    }
    // The last digit of a 32-byte signature carries 4 bits: 3 other digits decode to the same bytes.
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const c of B64URL.replace(token.at(-1)!, '')) assert.equal(l.verify('unsubscribe', token.slice(0, -1) + c), undefined, c);
    assert.equal(l.verify('unsubscribe', `${token}A`), undefined);
    assert.equal(l.verify('unsubscribe', token.slice(0, -1)), undefined);
    assert.equal(l.verify('unsubscribe', token.slice(1)), undefined);
  });

  it('another key does not verify; the key is asked for on first use only', () => {
    assert.equal(links({ key: Buffer.alloc(32, 8) }).verify('view', tokenOf(links().url('view', REF))), undefined);
    let asked = 0;
    const l = createEmailLinks({ key: () => (asked++, KEY), baseUrl: 'https://r.example', ttlMs: TTL, clock: new FakeClock() });
    assert.equal(asked, 0);
    const t = tokenOf(l.url('view', REF));
    l.verify('view', t);
    l.verify('unsubscribe', t);
    assert.equal(asked, 1);
  });

  it('expiry: valid up to its last millisecond (RELAIS_LINK_TTL_DAYS after it was made), then undefined', () => {
    const clock = new FakeClock();
    const l = links({ clock });
    const token = tokenOf(l.url('unsubscribe', REF));
    clock.advance(TTL);
    assert.deepEqual(l.verify('unsubscribe', token), REF);
    clock.advance(1);
    assert.equal(l.verify('unsubscribe', token), undefined);
  });

  it('malformed tokens, even correctly signed ones, are undefined, never a throw', () => {
    const l = links();
    const now = new FakeClock().now();
    for (const token of ['', '.', 'abc', 'a.b.c', `${'a'.repeat(2100)}.b`, '%%%.###']) assert.equal(l.verify('view', token), undefined, token);
    const bodies = [
      Buffer.from('not json').toString('base64url'),
      jsonBody({ accountId: 1 }),
      jsonBody([1, 2, 3, 'a@example.com']),
      jsonBody([1, 2, 3, 'a@example.com', now + 1, 'extra']),
      jsonBody(['1', 2, 3, 'a@example.com', now + 1]),
      jsonBody([1, 2.5, 3, 'a@example.com', now + 1]),
      jsonBody([1, 2, 3, null, now + 1]),
      jsonBody([1, 2, 3, 'a@example.com', String(now + 1)]),
    ];
    for (const body of bodies) assert.equal(l.verify('view', signed('view', body)), undefined, Buffer.from(body, 'base64url').toString());
    assert.deepEqual(l.verify('view', signed('view', jsonBody([1, 2, 3, 'a@example.com', now]))), { accountId: 1, messageId: 2, recipientId: 3, address: 'a@example.com' });
  });
});
