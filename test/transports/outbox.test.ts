import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { getOutboxEntry } from '../../src/core/queries.js';
import type { OutboxPort } from '../../src/core/ports.js';
import type { OutgoingMessage } from '../../src/core/transport.js';
import type { MessageContent } from '../../src/core/types.js';
import { outboxModule, type OutboxTransport } from '../../src/transports/outbox.js';
import { startTestApp } from '../helpers/app.js';
import { allOutbox, eachDialect, phone, scheduleSms } from '../helpers/dispatch.js';
import { transportContract } from './contract.js';
import { storeMail } from './mail-fixtures.js';

// The outbox accepts whatever it is given and reports no receipts: the cases that need a provider
// to fail or to report are not registered here; they run against the scripted provider (scripted.test.ts).
transportContract({
  name: 'outbox',
  create: (core) => outboxModule.create(outboxModule.parse({ RATE: '' }), { clock: core.clock, outbox: core.store.autocommit, links: core.links }),
  received: async (t) => (await allOutbox(t.store)).map((o) => o.address),
});

eachDialect('outbox: a mail is kept as the MIME message it would have been sent as', (dialect) => {
  test('the recipient\'s copy with its signed links, and the full MIME: headers, both parts, the attachment, the one-click unsubscribe headers', async () => {
    const t = await startTestApp({ dialect, env: { RELAIS_UNSUBSCRIBE_MAILTO: 'unsub@example.net' } });
    try {
      const { id: accountId } = await t.account('1');
      const pdf = Buffer.from('%PDF-1.4 reçu');
      const m = await storeMail(t.core, accountId, ['chloe@example.com'], {
        channel: 'email', subject: 'Reçu n°12 {{view_url}}', text: null, from: 'Café Crème <cafe@example.com>', replyTo: null,
        html: '<h1>Merci Chloé</h1><p><a href="{{unsubscribe_url}}">Désinscription</a></p>',
        names: { 'chloe@example.com': 'Chloé Dupré' }, attachments: [{ filename: 'reçu.pdf', contentType: 'application/pdf', base64: pdf.toString('base64') }],
      }, t.clock.now() + 1000);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const [row] = await allOutbox(t.store);
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.equal(r.providerId, `outbox-${row.id}`);
      const { unsubscribeUrl, viewUrl, ...fields } = row.rendered as Record<string, any>;
      const ref = { accountId, messageId: m.id, recipientId: r.id, address: 'chloe@example.com' };
      assert.deepEqual(t.core.links.verify('unsubscribe', unsubscribeUrl.split('/u/')[1]), ref);
      assert.deepEqual(t.core.links.verify('view', viewUrl.split('/view/')[1]), ref);
      assert.deepEqual(fields, {
        to: 'chloe@example.com', toName: 'Chloé Dupré', from: 'Café Crème <cafe@example.com>', replyTo: null, subject: `Reçu n°12 ${viewUrl}`, text: null,
        html: `<h1>Merci Chloé</h1><p><a href="${unsubscribeUrl}">Désinscription</a></p>`,
        headers: {
          'Message-ID': `<${m.id}.${r.id}.${m.sendAt.toString(36)}@example.com>`,
          'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:unsub@example.net?subject=unsubscribe>`,
        },
      }, 'the row keeps the copy and its headers, not the attachment: the message holds it once');
      // Composed on read, as the API answers it.
      const { mime } = await getOutboxEntry(t.core, accountId, row.id);
      assert.ok(mime !== null);
      assert.ok(mime.includes('\r\n') && !/[^\r]\n/.test(mime), 'CRLF line ends, as on the wire');
      const p = await simpleParser(mime);
      assert.deepEqual([p.subject, p.from!.value, (p.to as any).value], [`Reçu n°12 ${viewUrl}`, [{ name: 'Café Crème', address: 'cafe@example.com' }], [{ name: 'Chloé Dupré', address: 'chloe@example.com' }]]);
      assert.equal(p.html, fields.html);
      assert.equal(p.text, `MERCI CHLOÉ\n\nDésinscription\n[${unsubscribeUrl}]`);
      assert.deepEqual(p.attachments.map((a) => [a.filename, a.contentType, a.content.equals(pdf)]), [['reçu.pdf', 'application/pdf', true]]);
      assert.equal(p.messageId, `<${m.id}.${r.id}.${m.sendAt.toString(36)}@example.com>`);
      assert.equal(p.date?.getTime(), m.sendAt - (m.sendAt % 1000), 'sent when it was due');
      assert.deepEqual(p.headerLines.filter((h) => h.key.startsWith('list-')).map((h) => h.line), [
        `List-Unsubscribe: <${unsubscribeUrl}>, <mailto:unsub@example.net?subject=unsubscribe>`, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      ]);
      const sms = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + 1000);
      t.clock.set(sms.sendAt);
      await t.dispatcher.drain();
      assert.deepEqual((await allOutbox(t.store))[1].rendered, { to: phone(1), from: null, text: 'hello', encoding: 'gsm7', segments: 1 }, 'an SMS is kept as before');
    } finally {
      await t.close();
    }
  });

  test('a chunk: its SMS in one insert, each mail in its own without its attachment, the rows in the order of the chunk', async () => {
    const t = await startTestApp({ dialect });
    try {
      const transport = outboxModule.create(outboxModule.parse({ RATE: '' }), { clock: t.core.clock, outbox: t.store.autocommit, links: t.core.links }) as OutboxTransport;
      const inserts: string[][] = [];
      const writer: Pick<OutboxPort, 'insertOutbox'> = {
        insertOutbox: (entries) => {
          inserts.push(entries.map((e) => e.channel));
          return t.store.autocommit.insertOutbox(entries);
        },
      };
      const sms: MessageContent = { channel: 'sms', text: 'hello', sender: null, unicode: false };
      const mail: MessageContent = {
        channel: 'email', subject: 'Big', text: 'see attached', html: null, from: 'shop@example.com', replyTo: null,
        attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', base64: Buffer.alloc(1_000_000, 7).toString('base64') }],
      };
      const msgs: OutgoingMessage[] = [sms, sms, mail, mail, sms].map((content, i) => ({
        accountId: 1, messageId: content === sms ? 1 : 2, recipientId: i + 1, channel: content.channel,
        address: content === sms ? phone(i) : `r${i}@example.com`, content, sendAt: t.clock.now(), metadata: null,
      }));
      const ids = await transport.sendWithin(writer, msgs);
      assert.deepEqual(inserts, [['sms', 'sms'], ['email'], ['email'], ['sms']]);
      const rows = await allOutbox(t.store);
      assert.deepEqual(ids, rows.map((r) => `outbox-${r.id}`));
      assert.deepEqual(rows.map((r) => r.recipientId), [1, 2, 3, 4, 5]);
      for (const row of rows) assert.ok(JSON.stringify(row.rendered).length < 2_000, `row ${row.id} holds ${JSON.stringify(row.rendered).length} characters`);
    } finally {
      await t.close();
    }
  });
});
