import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { cancelMessage } from '../../src/core/cancel.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import type { Message } from '../../src/core/types.js';
import { SmtpTransport, type SmtpSettings } from '../../src/transports/smtp.js';
import { ledgerInvariant, startTestApp, type TestApp } from '../helpers/app.js';
import { allOutbox, eachDialect } from '../helpers/dispatch.js';
import type { Dialect } from '../helpers/store.js';
import { EMAIL_PRICE, storeMail, type EmailContent } from './mail-fixtures.js';
import { TestSmtpServer, type ReceivedMail, type ServerTls } from './smtp-server.js';

const MIN = 60_000;
const CREDITS = 100_000;

/** A server on 127.0.0.1 and a Relais whose e-mail goes to it through the registry (RELAIS_EMAIL_TRANSPORT=smtp). */
async function withSmtp(dialect: Dialect, env: Record<string, string>, fn: (t: TestApp, server: TestSmtpServer, accountId: number) => Promise<void>,
  url = (s: TestSmtpServer) => s.url, tls: ServerTls = 'none'): Promise<void> {
  const server = await new TestSmtpServer(tls).start();
  try {
    const t = await startTestApp({ dialect, env: { RELAIS_EMAIL_TRANSPORT: 'smtp', RELAIS_SMTP_URL: url(server), ...env } });
    try {
      assert.equal(t.config.transports.channels.email, 'smtp');
      const { id } = await t.account('100');
      await fn(t, server, id);
    } finally {
      await t.close();
    }
  } finally {
    await server.close();
  }
}

const mail = (to: string[], sendAt: number, over: Partial<EmailContent> = {}) => ({
  channel: 'email' as const, recipients: to, sendAt,
  content: { channel: 'email' as const, subject: 'Votre commande', text: 'Bonjour', html: null, from: 'boutique@example.com', replyTo: null, ...over },
});

const schedule = async (t: TestApp, accountId: number, to: string[], over: Partial<EmailContent> = {}): Promise<Message> =>
  (await scheduleMessage(t.core, accountId, mail(to, t.clock.now() + MIN, over))).message;

async function assertBalance(t: TestApp, accountId: number, expected: number): Promise<void> {
  const { balance, sum } = await ledgerInvariant(t.store, accountId);
  assert.equal(sum, balance, 'balance equals the sum of the ledger');
  assert.equal(balance, expected);
}

/** The header lines of a received mail named `key` (lower case), as written. */
const lines = (m: ParsedMail, key: string): string[] => m.headerLines.filter((h) => h.key === key).map((h) => h.line);

const byRecipient = (server: TestSmtpServer, address: string): ReceivedMail[] => server.received.filter((r) => r.to.includes(address));

eachDialect('smtp transport: what a real SMTP server receives', (dialect) => {
  test('each recipient gets its own mail: UTF-8 headers and parts, its name, a text part derived from the html, the attachment, its own signed links and the one-click unsubscribe headers; the queue id is the provider id', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      const pdf = Buffer.from('%PDF-1.4 facture été — 12,50 €');
      const content: EmailContent = {
        channel: 'email', subject: 'Votre commande — été à Noël 🎄', text: null, from: 'Boutique Été <boutique@example.com>', replyTo: 'aide@example.com',
        html: '<p>Bonjour Émile, votre commande est expédiée.</p><p><a href="{{view_url}}">Lire en ligne</a> · <a href="{{unsubscribe_url}}">Se désinscrire</a></p>',
        names: { 'emile@example.com': 'Émile Zola' },
        attachments: [{ filename: 'facture-été.pdf', contentType: 'application/pdf', base64: pdf.toString('base64') }],
      };
      const m = await storeMail(t.core, accountId, ['emile@example.com', 'george@example.org'], content, t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);

      const rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.address, r.status, r.attempts]), [['emile@example.com', 'sent', 1], ['george@example.org', 'sent', 1]]);
      assert.deepEqual(server.addresses().sort(), ['emile@example.com', 'george@example.org']);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
      const urls = new Set<string>();
      for (const [r, name] of [[rs[0], 'Émile Zola'], [rs[1], '']] as const) {
        const [got] = byRecipient(server, r.address);
        assert.equal(r.providerId, got.queueId, 'the provider id is the queue id of the server\'s answer');
        assert.equal(got.from, 'boutique@example.com');
        assert.deepEqual(got.to, [r.address]);
        const p = got.mail;
        assert.equal(p.subject, 'Votre commande — été à Noël 🎄');
        assert.deepEqual(p.from!.value, [{ name: 'Boutique Été', address: 'boutique@example.com' }]);
        assert.deepEqual((p.to as any).value, [{ name, address: r.address }]);
        assert.deepEqual(p.replyTo!.value, [{ name: '', address: 'aide@example.com' }]);
        assert.equal(p.messageId, `<${m.id}.${r.id}.${m.sendAt.toString(36)}@example.com>`);

        const ref = { accountId, messageId: m.id, recipientId: r.id, address: r.address };
        const [unsubscribe] = lines(p, 'list-unsubscribe');
        const found = /^List-Unsubscribe: <(http:\/\/127\.0\.0\.1:\d+\/u\/([^>]+))>, <mailto:boutique@example\.com\?subject=unsubscribe>$/.exec(unsubscribe);
        assert.ok(found, unsubscribe);
        const [, unsubscribeUrl, token] = found;
        assert.deepEqual(t.core.links.verify('unsubscribe', token), ref);
        assert.deepEqual(lines(p, 'list-unsubscribe-post'), ['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
        const viewUrl = /href="([^"]+)">Lire en ligne/.exec(p.html as string)![1];
        assert.deepEqual(t.core.links.verify('view', viewUrl.split('/view/')[1]), ref);
        assert.equal(p.html, `<p>Bonjour Émile, votre commande est expédiée.</p><p><a href="${viewUrl}">Lire en ligne</a> · <a href="${unsubscribeUrl}">Se désinscrire</a></p>`);
        // html-to-text wraps at 78 columns; a link too long for a line keeps one of its own.
        assert.equal(p.text, `Bonjour Émile, votre commande est expédiée.\n\nLire en ligne\n[${viewUrl}]\n· Se désinscrire\n[${unsubscribeUrl}]`);
        urls.add(unsubscribeUrl);

        assert.equal(p.attachments.length, 1);
        const [a] = p.attachments;
        assert.deepEqual([a.filename, a.contentType, a.content.equals(pdf)], ['facture-été.pdf', 'application/pdf', true]);
        assert.deepEqual(lines(p, 'dkim-signature'), [], 'no DKIM signature unless RELAIS_DKIM_* is set');
      }
      assert.equal(urls.size, 2, 'each recipient has its own unsubscribe link');
      assert.deepEqual(await allOutbox(t.store), [], 'nothing went to the outbox');
      await assertBalance(t, accountId, CREDITS - 2 * EMAIL_PRICE);
    });
  });

  test('a display name holding commas, quotes and an @ stays one quoted name: From, Reply-To, the envelope sender and the mailto keep their one address', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      const m = await schedule(t, accountId, ['ann@example.com'], { from: 'x@evil.com, Shop "Best" <shop@example.com>', replyTo: 'a"b, c@evil.com <help@example.com>' });
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      const [got] = server.received;
      assert.equal(server.received.length, 1);
      assert.equal(got.from, 'shop@example.com', 'the envelope sender');
      assert.deepEqual(got.mail.from?.value, [{ name: 'x@evil.com, Shop "Best"', address: 'shop@example.com' }]);
      assert.deepEqual((got.mail.replyTo?.value ?? []).map((v) => [v.name, v.address]), [['a"b, c@evil.com', 'help@example.com']]);
      assert.match(lines(got.mail, 'list-unsubscribe')[0], /, <mailto:shop@example\.com\?subject=unsubscribe>$/);
      assert.match(got.mail.messageId ?? '', /@example\.com>?$/);
    });
  });

  test('with RELAIS_DKIM_* every mail is signed (d=, s=), and RELAIS_UNSUBSCRIBE_MAILTO names the mailto', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const env = {
      RELAIS_DKIM_DOMAIN: 'Example.com', RELAIS_DKIM_SELECTOR: 'relais2026',
      // As an .env file holds it: one line, the line breaks written \n.
      RELAIS_DKIM_PRIVATE_KEY: pem.trim().replaceAll('\n', '\\n'), RELAIS_UNSUBSCRIBE_MAILTO: 'desinscription@example.net',
    };
    await withSmtp(dialect, env, async (t, server, accountId) => {
      const m = await schedule(t, accountId, ['ann@example.com']);
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      const [got] = server.received;
      const [signature] = lines(got.mail, 'dkim-signature');
      assert.ok(signature, 'a DKIM-Signature header');
      const tags = Object.fromEntries(signature.replace(/^DKIM-Signature:/i, '').replace(/\s+/g, '').split(';').filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
      assert.deepEqual([tags.v, tags.a, tags.d, tags.s], ['1', 'rsa-sha256', 'example.com', 'relais2026']);
      assert.match(tags.h, /list-unsubscribe/i, 'the unsubscribe headers are signed');
      assert.match(lines(got.mail, 'list-unsubscribe')[0], /, <mailto:desinscription@example\.net\?subject=unsubscribe>$/);
    });
  });

  test('credentials in RELAIS_SMTP_URL are percent-decoded and used to log in', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      const m = await schedule(t, accountId, ['ann@example.com']);
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      assert.deepEqual(server.logins, [{ username: 'relais@example.com', password: 'p@ss:w/rd%' }]);
      assert.deepEqual(server.addresses(), ['ann@example.com']);
    }, (s) => `smtp://relais%40example.com:p%40ss%3Aw%2Frd%25@127.0.0.1:${s.port}`);
  });

  test('TLS: smtps:// and STARTTLS encrypt the session; a certificate that does not verify, or STARTTLS required of a server without it, is retried, never sent in clear', async () => {
    const sendOne = async (tls: ServerTls, env: Record<string, string>, expect: { error: RegExp | null; secure?: boolean }) => {
      await withSmtp(dialect, env, async (t, server, accountId) => {
        const m = await schedule(t, accountId, ['ann@example.com']);
        t.clock.set(m.sendAt);
        await t.dispatcher.drain();
        const [r] = await t.store.autocommit.getRecipients(m.id);
        if (expect.error) {
          assert.deepEqual([r.status, r.attempts], ['pending', 1], `${tls} ${JSON.stringify(env)}`);
          assert.match(r.error!, expect.error);
          assert.equal(server.received.length, 0);
        } else {
          assert.equal(r.status, 'sent', `${tls} ${JSON.stringify(env)}: ${r.error}`);
          assert.deepEqual(server.received.map((x) => [x.to, x.secure]), [[['ann@example.com'], expect.secure]]);
        }
      }, undefined, tls);
    };
    const selfSigned = { RELAIS_SMTP_TLS_REJECT_UNAUTHORIZED: 'false' };
    await sendOne('implicit', selfSigned, { error: null, secure: true });
    await sendOne('implicit', {}, { error: /certificate/i });
    await sendOne('starttls', selfSigned, { error: null, secure: true });
    await sendOne('starttls', {}, { error: /certificate/i });
    await sendOne('starttls', { RELAIS_SMTP_STARTTLS: 'off' }, { error: null, secure: false });
    await sendOne('none', { RELAIS_SMTP_STARTTLS: 'required' }, { error: /STARTTLS/ });
    await sendOne('none', {}, { error: null, secure: false });
  });

  test('a refused login is retried, not failed: the credentials are wrong, not the recipient', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      server.refuseLogins = true;
      const m = await schedule(t, accountId, ['ann@example.com']);
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      let [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.attempts], ['pending', 1]);
      assert.equal(r.error, 'Invalid login: 535 Authentication credentials invalid');
      server.refuseLogins = false;
      t.clock.set((await t.store.autocommit.nextWakeAt())! + 1);
      await t.dispatcher.drain();
      [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.attempts], ['sent', 2]);
      assert.deepEqual(server.addresses(), ['ann@example.com']);
      await assertBalance(t, accountId, CREDITS - EMAIL_PRICE);
    }, (s) => `smtp://relais:wrong@127.0.0.1:${s.port}`);
  });

  test('a 4xx answer is retried after the backoff and then sent, once', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      const m = await schedule(t, accountId, ['ann@example.com']);
      server.refuse('ann@example.com', { code: 451, message: 'Greylisted, try again later' });
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      let [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.attempts, r.error], ['pending', 1, '451 Greylisted, try again later']);
      assert.equal(server.received.length, 0);
      t.clock.set((await t.store.autocommit.nextWakeAt())! + 1);
      assert.equal(await t.dispatcher.drain(), 1);
      [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.attempts, r.error, r.providerId], ['sent', 2, null, server.received[0].queueId]);
      assert.deepEqual(server.addresses(), ['ann@example.com']);
      assert.deepEqual(server.attempts, ['ann@example.com', 'ann@example.com']);
      await assertBalance(t, accountId, CREDITS - EMAIL_PRICE);
    });
  });

  test('a 5xx answer fails the recipient for good, with the code, and refunds it exactly once', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      const m = await schedule(t, accountId, ['gone@example.com', 'ann@example.com']);
      server.refuse('gone@example.com', { code: 550, message: 'No such user here' });
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.address, r.status, r.attempts, r.error]), [
        ['gone@example.com', 'failed', 1, '550 No such user here'], ['ann@example.com', 'sent', 1, null],
      ]);
      const failed = (await t.store.autocommit.getEvents(m.id)).filter((e) => e.type === 'failed');
      assert.deepEqual(failed.map((e) => e.data), [{ reason: '550 No such user here', providerCode: '550' }]);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'partially_failed');
      t.clock.advance(60 * MIN);
      assert.equal(await t.dispatcher.drain(), 0);
      assert.deepEqual(server.addresses(), ['ann@example.com']);
      const refunds = (await t.store.autocommit.listLedger(accountId, { limit: 100 })).filter((e) => e.kind === 'refund');
      assert.deepEqual(refunds.map((e) => [e.messageId, e.amount, e.cause]), [[m.id, EMAIL_PRICE, `message ${m.id}: delivery to gone@example.com failed`]]);
      await assertBalance(t, accountId, CREDITS - 2 * EMAIL_PRICE + EMAIL_PRICE);
    });
  });

  test('a connection dropped in the middle of a batch: the mail it carried is retried, nothing is lost and nothing arrives twice', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      const to = [1, 2, 3, 4, 5, 6].map((i) => `r${i}@example.com`);
      const m = await schedule(t, accountId, to);
      server.refuse('r3@example.com', 'drop');
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      let rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.address, r.status, r.attempts]), to.map((a) => [a, a === 'r3@example.com' ? 'pending' : 'sent', 1]));
      assert.equal(rs[2].error, 'Connection closed unexpectedly');
      assert.deepEqual(server.addresses().sort(), to.filter((a) => a !== 'r3@example.com'));
      t.clock.set((await t.store.autocommit.nextWakeAt())! + 1);
      assert.equal(await t.dispatcher.drain(), 1);
      rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.status, r.providerId]), to.map((a) => ['sent', byRecipient(server, a)[0].queueId]));
      assert.deepEqual(server.addresses().sort(), to, 'each recipient once');
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
      await assertBalance(t, accountId, CREDITS - to.length * EMAIL_PRICE);
    });
  });

  test('a cancelled mail never reaches the server and is refunded whole', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      const m = await schedule(t, accountId, ['ann@example.com', 'bob@example.com']);
      await cancelMessage(t.core, accountId, m.id);
      t.clock.set(m.sendAt + 60 * MIN);
      assert.equal(await t.dispatcher.drain(), 0);
      assert.deepEqual([server.received, server.attempts], [[], []]);
      await assertBalance(t, accountId, CREDITS);
    });
  });

  test('a mail without a sender fails for good without reaching the server, and is refunded', async () => {
    await withSmtp(dialect, {}, async (t, server, accountId) => {
      // Core gives a mail without a From its default sender or refuses it: stored past that, the transport still refuses to send it.
      const m = await storeMail(t.core, accountId, ['ann@example.com'], { ...mail([], 0).content, from: null }, t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.error], ['failed', 'the mail has no sender']);
      assert.deepEqual(server.attempts, []);
      await assertBalance(t, accountId, CREDITS);
    });
  });
});

test('an aborted send is retryable and leaves the pool usable', async () => {
  const server = await new TestSmtpServer().start();
  const t = await startTestApp({ env: { RELAIS_EMAIL_TRANSPORT: 'smtp', RELAIS_SMTP_URL: server.url } });
  try {
    const transport = new SmtpTransport(t.config.transports.settings.get('smtp') as SmtpSettings, t.clock, { links: t.core.links, unsubscribeMailto: null });
    const message = { accountId: 1, messageId: 1, channel: 'email' as const, sendAt: 0, metadata: null };
    const recipient = { recipientId: 1, address: 'ann@example.com', content: mail([], 0).content };
    const [aborted] = await transport.send(message, [recipient], { signal: AbortSignal.abort() });
    assert.equal(aborted.ok, false);
    assert.equal(!aborted.ok && aborted.retryable, true);
    assert.deepEqual(server.attempts, [], 'an aborted send does not reach the server');
    const [sent] = await transport.send(message, [recipient], { signal: new AbortController().signal });
    assert.deepEqual(sent, { ok: true, providerId: server.received[0].queueId });
    await transport.close();
    await transport.close();
  } finally {
    await t.close();
    await server.close();
  }
});
