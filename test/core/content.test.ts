import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nulPath, validateContent } from '../../src/core/content.js';
import { checkAmount, MAX_BALANCE } from '../../src/core/ledger.js';
import { SPEECH_LANGS } from '../../src/core/speech.js';
import type { MessageContent } from '../../src/core/types.js';

const email = (extra: Partial<Extract<MessageContent, { channel: 'email' }>>): MessageContent =>
  ({ channel: 'email', subject: 's', text: 't', html: null, from: null, replyTo: null, ...extra });
const voice = (extra: Partial<Extract<MessageContent, { channel: 'voice' }>>): MessageContent =>
  ({ channel: 'voice', text: 't', audioUrl: null, sender: null, ...extra });
const refused = (content: MessageContent, code: string, field: string) =>
  assert.throws(() => validateContent(content.channel, content), { code, details: { field } }, JSON.stringify(content));

describe('content rules every API shares', () => {
  it('e-mail from/replyTo: an address or "Name <address>", normalised; anything else refused on its field', () => {
    const ok = validateContent('email', email({ from: ' Shop <Shop@Example.COM> ', replyTo: 'help@EXAMPLE.com' }));
    assert.deepEqual([ok.channel === 'email' && ok.from, ok.channel === 'email' && ok.replyTo], ['Shop <Shop@example.com>', 'help@example.com']);
    for (const from of ['RELAIS', 'a@b', 'x@example.com\r\nBcc: v@example.com', 'Bad\nName <a@example.com>', '<a@example.com', 'a <b> <c@example.com>', '']) {
      refused(email({ from }), 'invalid_request', 'from');
    }
    refused(email({ replyTo: 'Shop <nope>' }), 'invalid_request', 'replyTo');
  });

  it('e-mail names and attachments: kept as given when they can become headers and MIME parts, else refused on their field', () => {
    const names = { 'a@example.com': 'Anne Dupré' };
    const attachments = [{ filename: 'facture.pdf', contentType: 'application/pdf', base64: 'JVBERi0=' }];
    assert.deepEqual(validateContent('email', email({ names, attachments })), email({ names, attachments }));
    for (const name of ['', ' ', 'A\r\nBcc: v@example.com', 'a <b>']) refused(email({ names: { 'a@example.com': name } }), 'invalid_request', 'names');
    for (const bad of [
      { filename: '', contentType: 'text/plain', base64: '' }, { filename: 'a\r\nb', contentType: 'text/plain', base64: '' },
      { filename: 'a', contentType: 'text', base64: '' }, { filename: 'a', contentType: 'text/plain; charset=utf-8\r\nX: y', base64: '' },
      { filename: 'a', contentType: 'text/plain', base64: 'abc' }, { filename: 'a', contentType: 'text/plain', base64: 'ab!=' },
    ]) {
      refused(email({ attachments: [bad] }), 'invalid_request', 'attachments');
    }
  });

  it('subject: one line; tab allowed', () => {
    for (const subject of ['a\r\nBcc: v@example.com', 'a\nb', 'a\rb', 'a\u0000b']) refused(email({ subject }), 'invalid_request', 'subject');
    assert.doesNotThrow(() => validateContent('email', email({ subject: 'a\tb' })));
  });

  it('voice: an audio file token, a language, a rate and a duration are optional; rows without them stay valid', () => {
    const full = voice({ text: null, audioToken: 'Ab3dEf7hIj', lang: 'en', rate: 1.5, durationMs: 6300 });
    assert.deepEqual(validateContent('voice', full), full);
    assert.doesNotThrow(() => validateContent('voice', voice({})));
    refused(voice({ text: null }), 'invalid_request', 'text');
    refused(voice({ audioToken: '../x' }), 'invalid_request', 'audioToken');
    assert.throws(() => validateContent('voice', voice({ lang: 'xx' })), { code: 'invalid_request', details: { field: 'lang', allowed: SPEECH_LANGS } });
    for (const rate of [0.4, 2.5]) refused(voice({ rate }), 'invalid_request', 'rate');
    for (const durationMs of [0, -1, 1.5]) refused(voice({ durationMs }), 'invalid_request', 'durationMs');
  });

  it('senders: never blank nor with control characters (SMS and voice); SMS keeps its 11-character rule', () => {
    for (const sender of [' ', '   ', '\t', 'AB\r\nC']) {
      refused({ channel: 'sms', text: 'x', sender, unicode: false }, 'invalid_sender', 'sender');
      refused(voice({ sender }), 'invalid_sender', 'sender');
    }
    assert.doesNotThrow(() => validateContent('voice', voice({ sender: 'Any caller id' })));
    refused({ channel: 'sms', text: 'x', sender: 'Any caller id', unicode: false }, 'invalid_sender', 'sender');
  });

  it('SMS: more than 10 parts is message_too_long, counted as sent: 152 `a` + `€` + 1 376 `b` is 1 530 septets but 11 parts, the escape not cut', () => {
    const sms = (text: string): MessageContent => ({ channel: 'sms', text, sender: null, unicode: false });
    assert.doesNotThrow(() => validateContent('sms', sms('a'.repeat(1530))));
    assert.throws(() => validateContent('sms', sms(`${'a'.repeat(152)}€${'b'.repeat(1376)}`)), { code: 'message_too_long', details: { field: 'text', segments: 11 } });
  });

  it('audioUrl: http or https only', () => {
    for (const audioUrl of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://h/a.mp3', 'data:,x', '//h/a.mp3', 'h/a.mp3']) refused(voice({ audioUrl }), 'invalid_request', 'audioUrl');
    for (const audioUrl of ['http://h.example/a.mp3', 'HTTPS://h.example/a.mp3']) assert.doesNotThrow(() => validateContent('voice', voice({ audioUrl })));
  });

  it('nulPath: the path to the first U+0000 in a value or a key, however deep; undefined without', () => {
    assert.deepEqual(nulPath({ a: [1, { b: 'x\u0000' }] }), ['a', '1', 'b']);
    assert.deepEqual(nulPath({ a: { 'k\u0000': 1 } }), ['a']);
    assert.equal(nulPath({ a: ['fine', 1, null, true] }), undefined);
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(nulPath(deep)?.length, 100_000);
  });
});

describe('money bound', () => {
  it('checkAmount refuses amounts past MAX_BALANCE and non-integers (1e20, Infinity, NaN) before they reach SQL', () => {
    assert.equal(MAX_BALANCE, 10 ** 15);
    assert.ok(MAX_BALANCE * 2 < Number.MAX_SAFE_INTEGER, 'a balance plus any accepted amount stays exact');
    for (const amount of [MAX_BALANCE + 1, 1e23, Infinity, NaN, 1.5]) assert.throws(() => checkAmount(amount, 'credit'), { code: 'invalid_request', details: { field: 'credit', max: '1000000000000.000' } });
    assert.doesNotThrow(() => checkAmount(MAX_BALANCE, 'credit'));
  });
});
