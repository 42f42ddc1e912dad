import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ledgerInvariant, startTestApp } from '../helpers/app.js';
import { eachDialect } from '../helpers/dispatch.js';
import { TestSmtpServer } from '../transports/smtp-server.js';
import { EMAIL_PRICE } from '../transports/mail-fixtures.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const PUBLIC_URL = 'https://relais.example.test';

// The one-click unsubscribe of RFC 8058 end to end: a mail received by a real SMTP server, the
// https URL of its List-Unsubscribe header POSTed as a mail client does, and what it changes.
eachDialect('e2e: one-click unsubscribe from a received mail', (dialect) => {
  test('POSTing the List-Unsubscribe URL puts the address on the sender account\'s list, once, and cancels and refunds it in a mail scheduled earlier', async () => {
    const server = await new TestSmtpServer().start();
    const t = await startTestApp({ dialect, env: { RELAIS_EMAIL_TRANSPORT: 'smtp', RELAIS_SMTP_URL: server.url, RELAIS_PUBLIC_URL: PUBLIC_URL } });
    try {
      const { id, apiKey } = await t.account('1');
      const other = await t.account('1');
      const send = async (to: string[], inMs: number) => {
        const res = await t.request('POST', '/api/v1/messages', {
          key: apiKey, body: { channel: 'email', to, subject: 'Nouveautés', html: '<p>Bonjour</p>', from: 'news@example.com', sendAt: new Date(t.clock.now() + inMs).toISOString() },
        });
        assert.equal(res.status, 201, res.text);
        return res.body;
      };
      const first = await send(['ann@example.com'], MIN);
      const later = await send(['ann@example.com', 'bob@example.com'], 2 * DAY);
      t.clock.advance(MIN);
      assert.equal(await t.dispatcher.drain(), 1);
      assert.deepEqual(server.addresses(), ['ann@example.com']);

      const [header] = server.received[0].mail.headerLines.filter((h) => h.key === 'list-unsubscribe').map((h) => h.line);
      const https = /<(https:\/\/[^>]+)>/.exec(header)?.[1] ?? assert.fail(`no https URL in ${header}`);
      assert.ok(https.startsWith(`${PUBLIC_URL}/u/`), header);
      // The mail client posts to the URL as written; the test server listens on its own address.
      const oneClick = () => fetch(t.url + new URL(https).pathname, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', signal: AbortSignal.timeout(30_000),
      });
      const res = await oneClick();
      assert.equal(res.status, 200, await res.text());

      const list = await t.request('GET', '/api/v1/suppressions?channel=email', { key: apiKey });
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.items.map((s: any) => [s.channel, s.address]), [['email', 'ann@example.com']]);
      assert.deepEqual((await t.request('GET', '/api/v1/suppressions', { key: other.apiKey })).body.items, [], 'no other account touched');
      const recipients = await t.store.autocommit.getRecipients(later.id);
      assert.deepEqual(recipients.map((r) => [r.address, r.status]), [['ann@example.com', 'cancelled'], ['bob@example.com', 'pending']]);
      const expected = 1000 * 1 - 3 * EMAIL_PRICE + EMAIL_PRICE;
      assert.deepEqual(await ledgerInvariant(t.store, id), { balance: expected, sum: expected });

      // A second click (mail clients retry) changes nothing: one entry, one refund.
      assert.equal((await oneClick()).status, 200);
      assert.equal((await t.request('GET', '/api/v1/suppressions?channel=email', { key: apiKey })).body.items.length, 1);
      assert.deepEqual(await ledgerInvariant(t.store, id), { balance: expected, sum: expected });

      t.clock.set(Date.parse(later.sendAt));
      assert.equal(await t.dispatcher.drain(), 1);
      assert.deepEqual(server.addresses(), ['ann@example.com', 'bob@example.com'], 'the later mail reaches bob only');
      assert.deepEqual((await t.store.autocommit.getRecipients(first.id)).map((r) => r.status), ['sent'], 'the mail already sent stays sent');
    } finally {
      await t.close();
      await server.close();
    }
  });
});
