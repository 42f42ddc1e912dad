import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as fc from 'fast-check';
import { countSmsSegments } from '../../src/core/segments.js';
import type { InboundMessage, Receipt, SendResult } from '../../src/core/transport.js';
import { sourceAddress, submitBodies } from '../../src/transports/smpp/encoding.js';
import { MAX_DELIVERIES_IN_PROGRESS } from '../../src/transports/smpp/bind.js';
import { MO_PART_CHARS, MoReassembly } from '../../src/transports/smpp/reassembly.js';
import { SmppTransport, smppModule } from '../../src/transports/smpp/transport.js';
import { waitFor } from '../helpers/dispatch.js';
import { PASSWORD, SYSTEM_ID, TestSmsc } from './smpp-server.js';

const DEFAULTS = Object.fromEntries(Object.entries(smppModule.settings).map(([k, s]) => [k, s.default]));
const TO = '+33612345678';

/** Everything a case opened, closed at the end of the file whatever happened. */
const opened: { close(): Promise<void> }[] = [];
after(async () => {
  for (const o of opened.reverse()) await o.close();
});

async function smsc(): Promise<TestSmsc> {
  const server = await new TestSmsc().start();
  opened.push(server);
  return server;
}

type Observed = SmppTransport & { throttled: number; unreadable: number; incomplete: number };

/** A transport to `server` with settings over the defaults; `throttled`, `unreadable` and `incomplete` count the observer's calls. */
function connect(server: TestSmsc, over: Record<string, string> = {}): Observed {
  const observer = { throttled: 0, unreadable: 0, incomplete: 0 };
  const t = new SmppTransport(smppModule.parse({ ...DEFAULTS, URL: server.url(), RECONNECT_MIN_MS: '20', RECONNECT_MAX_MS: '100', THROTTLE_PAUSE_MS: '10', ...over }), {
    throttled: (name) => {
      assert.equal(name, 'smpp');
      observer.throttled++;
    },
    receipt: (name, outcome) => {
      assert.deepEqual([name, outcome], ['smpp', 'unreadable']);
      observer.unreadable++;
    },
    inbound: (name, outcome) => {
      assert.deepEqual([name, outcome], ['smpp', 'incomplete']);
      observer.incomplete++;
    },
  });
  opened.push(t);
  for (const key of ['throttled', 'unreadable', 'incomplete'] as const) Object.defineProperty(t, key, { get: () => observer[key] });
  return t as Observed;
}

const sms = (text: string, o: { sender?: string | null; unicode?: boolean; address?: string } = {}) => ({
  recipientId: 1, address: o.address ?? TO, content: { channel: 'sms' as const, text, sender: o.sender ?? null, unicode: o.unicode ?? false },
});

async function send(t: SmppTransport, text: string, o: Parameters<typeof sms>[1] & { signal?: AbortSignal } = {}): Promise<SendResult> {
  const [result] = await t.send({ accountId: 1, messageId: 1, channel: 'sms', sendAt: 0, metadata: null }, [sms(text, o)], { signal: o.signal ?? AbortSignal.timeout(10_000) });
  return result;
}

/** The decoded text of a submit (short_message, else message_payload). */
const textOf = (pdu: Record<string, unknown>): string => ((pdu.message_payload ?? pdu.short_message) as { message: string }).message;
const udhOf = (pdu: Record<string, unknown>): number[] => [...((pdu.short_message as { udh: Buffer[] }).udh[0])];

describe('smpp encoding: the parts submitted are the parts core prices', () => {
  test('GSM-7 is one septet per octet with data_coding 0; the extension table takes an escape and its code', () => {
    const [part] = submitBodies({ text: '@a€{', sender: null, unicode: false }, 'udh', 0) as Record<string, unknown>[];
    assert.deepEqual([...(part.short_message as Buffer)], [0x00, 0x61, 0x1b, 0x65, 0x1b, 0x28]);
    assert.deepEqual([part.data_coding, part.esm_class, part.registered_delivery], [0, 0, 1]);
    const all = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà\f^{}\\[~]|€';
    for (const ch of all) {
      const [one] = submitBodies({ text: ch, sender: null, unicode: false }, 'udh', 0) as Record<string, unknown>[];
      assert.equal((one.short_message as Buffer).length, countSmsSegments(ch).length, `septets of ${JSON.stringify(ch)}`);
    }
  });

  test('UCS-2 is big-endian UTF-16 with data_coding 8, an emoji two units; core\'s unicode flag forces it', () => {
    const [part] = submitBodies({ text: 'Жa😀', sender: null, unicode: false }, 'udh', 0) as Record<string, unknown>[];
    assert.deepEqual([...(part.short_message as Buffer)], [0x04, 0x16, 0x00, 0x61, 0xd8, 0x3d, 0xde, 0x00]);
    assert.equal(part.data_coding, 8);
    const [forced] = submitBodies({ text: 'abc', sender: null, unicode: true }, 'udh', 0) as Record<string, unknown>[];
    assert.deepEqual([forced.data_coding, (forced.short_message as Buffer).length], [8, 6]);
  });

  /** The text octets of each part of `text`, after its concatenation header if it has one. */
  const partsOf = (text: string, unicode = false) => (submitBodies({ text, sender: null, unicode }, 'udh', 7) as Record<string, unknown>[])
    .map((p) => (p.short_message as Buffer).subarray(p.esm_class === 0 ? 0 : 6));

  test('a character is never cut between parts: an extension character or an emoji on a boundary starts the next part, and core prices that part', () => {
    assert.deepEqual(partsOf(`${'a'.repeat(152)}€${'b'.repeat(100)}`).map((p) => p.length), [152, 102], 'the escape and its code go together to part 2');
    // 306 septets: 2 parts by length, but the escape would end part 1. It once did, to keep to core's 2.
    const pushed = `${'a'.repeat(152)}€${'b'.repeat(152)}`;
    assert.deepEqual(partsOf(pushed).map((p) => p.length), [152, 153, 1]);
    assert.equal(countSmsSegments(pushed).segments, 3, 'priced as sent');
    // 134 code units: 2 parts by length, but the emoji straddles unit 67.
    const emoji = `${'ж'.repeat(66)}😀${'ж'.repeat(66)}`;
    assert.deepEqual(partsOf(emoji).map((p) => p.length / 2), [66, 67, 1]);
    assert.equal(countSmsSegments(emoji).segments, 3);
  });

  test('fuzz: whatever the text, no part ends in an escape or a high surrogate nor holds more than an SMS part does, and the parts submitted are the parts priced', () => {
    const gsm = fc.string({ unit: fc.constantFrom(...'ab€{|^ \n'), minLength: 150, maxLength: 1600 });
    const ucs = fc.string({ unit: fc.constantFrom('ж', 'a', '😀', '€'), minLength: 60, maxLength: 700 });
    fc.assert(fc.property(fc.oneof(gsm, ucs), fc.boolean(), (text, unicode) => {
      const { encoding, segments } = countSmsSegments(text, { unicode });
      const parts = partsOf(text, unicode);
      assert.equal(parts.length, segments);
      // Octets: GSM-7 is sent one septet per octet, UCS-2 two per unit.
      const most = encoding === 'gsm7' ? (segments === 1 ? 160 : 153) : 2 * (segments === 1 ? 70 : 67);
      for (const part of parts) assert.ok(part.length <= most, `a part of ${part.length} octets, at most ${most}`);
      for (const part of parts.slice(0, -1)) {
        if (encoding === 'gsm7') assert.notEqual(part.at(-1), 0x1b, 'an escape ends a part');
        else assert.ok(!(part.at(-2)! >= 0xd8 && part.at(-2)! <= 0xdb), 'a high surrogate ends a part');
      }
      const [whole] = submitBodies({ text, sender: null, unicode }, 'payload', 0) as Record<string, unknown>[];
      assert.deepEqual(Buffer.concat(parts), whole.message_payload ?? whole.short_message, 'the parts are the whole text');
    }), { seed: 20261203, numRuns: 2000 });
  });

  test('the sender\'s TON/NPI by its form: international with +, short code, national digits, name, none', () => {
    assert.deepEqual(['+33700000001', '36180', '0612345678', 'Boutique', null].map(sourceAddress), [
      { ton: 1, npi: 1, addr: '33700000001' }, { ton: 3, npi: 0, addr: '36180' }, { ton: 0, npi: 1, addr: '0612345678' }, { ton: 5, npi: 0, addr: 'Boutique' }, { ton: 0, npi: 0, addr: '' },
    ]);
  });

  test('more than 255 parts cannot be concatenated by UDH: refused, not sent', () => {
    assert.deepEqual(submitBodies({ text: 'a'.repeat(153 * 256), sender: null, unicode: false }, 'udh', 0), { refused: 'the text is 256 parts long: UDH concatenation carries 255 at most' });
  });
});

describe('smpp MO reassembly: bounded', () => {
  const mo = (text: string) => ({ from: '+33611111111', to: '36180', text });
  const first = (reference: number) => ({ reference, total: 2, seq: 1 });
  const last = (reference: number) => ({ reference, total: 2, seq: 2 });

  /** A buffer with `limits`, the wholes it handed over and the drops it counted. */
  function reassembly(limits: { maxOpen: number; maxChars: number }) {
    const got: string[] = [];
    let dropped = 0;
    const parts = new MoReassembly({ ...limits, timeoutMs: 60_000 }, () => dropped++);
    opened.push({ close: async () => parts.close() });
    const add = (text: string, part: { reference: number; total: number; seq: number }) => parts.add(mo(text), part, async (m) => void got.push(m.text));
    return { add, got, dropped: () => dropped };
  }

  test('past the open messages or the characters allowed, the oldest is dropped and counted; the newest kept', async () => {
    const { add, got, dropped } = reassembly({ maxOpen: 2, maxChars: 10 });
    for (const reference of [1, 2, 3]) assert.equal(await add('a', first(reference)), true);
    assert.equal(dropped(), 1, 'three open, two allowed: the first dropped');
    assert.equal(await add('b', last(2)), true);
    assert.deepEqual(got, ['ab']);
    await add('0123456789', first(4));
    assert.equal(dropped(), 2, '11 characters, 10 allowed: the oldest (3) dropped');
    await add('x', last(4));
    assert.deepEqual(got, ['ab', '0123456789x'], 'the newest was kept');
    await add('b', last(3));
    assert.deepEqual([got.length, dropped()], [2, 2], 'a part of a dropped message waits alone');
  });

  test('a part waiting for the rest holds no timer that keeps the process alive (a worker stopping without close)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { add } = reassembly({ maxOpen: 1000, maxChars: 1000 });
    await add('a', first(1));
    assert.equal(timers(), before);
  });

  test(`a part longer than short_message holds (${MO_PART_CHARS} characters) is no handset part: it drops its own message only, and is acknowledged`, async () => {
    const { add, got, dropped } = reassembly({ maxOpen: 1000, maxChars: 1000 });
    await add('a', first(1));
    await add('x', first(2));
    assert.equal(await add('y'.repeat(MO_PART_CHARS + 1), last(2)), true);
    await add('z'.repeat(1000), first(3));
    assert.equal(dropped(), 2, 'each message with an oversized part, counted once');
    await add('y'.repeat(MO_PART_CHARS), last(1));
    assert.deepEqual(got, [`a${'y'.repeat(MO_PART_CHARS)}`], 'the message open before them is whole');
  });
});

describe('smpp transport: what a real SMSC receives', () => {
  test('binds as transceiver with the URL\'s percent-decoded credentials and the system_type; sender and destination with their TON/NPI; one short message', async () => {
    const server = await smsc();
    const t = connect(server, { SYSTEM_TYPE: 'relais' });
    const r1 = await send(t, 'Bonjour à tous {€}', { sender: 'Boutique' });
    const r2 = await send(t, 'Code 1234', { sender: '+33700000001' });
    const r3 = await send(t, 'Привет 😀');
    assert.deepEqual(server.binds.map((b) => [b.command, b.system_id, b.password, b.system_type, b.interface_version]), [['bind_transceiver', SYSTEM_ID, PASSWORD, 'relais', 0x34]]);
    assert.deepEqual([r1, r2, r3], server.submits.map((s) => ({ ok: true, providerId: s.messageId })));
    assert.deepEqual(server.submits.map(({ pdu }) => [pdu.source_addr_ton, pdu.source_addr_npi, pdu.source_addr, pdu.dest_addr_ton, pdu.dest_addr_npi, pdu.destination_addr]), [
      [5, 0, 'Boutique', 1, 1, '33612345678'], [1, 1, '33700000001', 1, 1, '33612345678'], [0, 0, '', 1, 1, '33612345678'],
    ]);
    assert.deepEqual(server.submits.map(({ pdu }) => [textOf(pdu), pdu.data_coding, pdu.esm_class, pdu.registered_delivery]), [
      ['Bonjour à tous {€}', 0, 0, 1], ['Code 1234', 0, 0, 1], ['Привет 😀', 8, 0, 1],
    ]);
  });

  test('a long message: as many parts as core counts, one UDH reference, in order on one bind; the receipt is asked on the last part, whose id is the provider id', async () => {
    const server = await smsc();
    const t = connect(server, { BINDS: '2' });
    for (const [text, unicode] of [['Une longue phrase {avec} des accolades. '.repeat(10), false], ['Длинное сообщение. '.repeat(8), false], ['plain but forced '.repeat(6), true]] as const) {
      const from = server.submits.length;
      const result = await send(t, text, { unicode });
      const parts = server.submits.slice(from);
      const { segments } = countSmsSegments(text, { unicode });
      assert.ok(segments > 1);
      assert.equal(parts.length, segments);
      assert.deepEqual(result, { ok: true, providerId: parts.at(-1)!.messageId });
      const ref = udhOf(parts[0].pdu)[2];
      assert.deepEqual(parts.map(({ pdu }) => udhOf(pdu)), parts.map((_, i) => [0x00, 3, ref, segments, i + 1]));
      assert.deepEqual(parts.map(({ pdu }) => [pdu.esm_class, pdu.registered_delivery, pdu.data_coding]), parts.map((_, i) => [0x40, i === segments - 1 ? 1 : 0, unicode || text.startsWith('Д') ? 8 : 0]));
      assert.equal(parts.map(({ pdu }) => textOf(pdu)).join(''), text);
      assert.equal(new Set(parts.map((p) => p.session)).size, 1, 'every part on one bind');
    }
  });

  test('RELAIS_SMPP_LONG_MESSAGES=payload: one submit_sm with the whole text in message_payload', async () => {
    const server = await smsc();
    const t = connect(server, { LONG_MESSAGES: 'payload' });
    const text = 'Une longue phrase {avec} des accolades. '.repeat(10);
    assert.deepEqual(await send(t, text), { ok: true, providerId: server.submits[0].messageId });
    const [{ pdu }] = server.submits;
    assert.deepEqual([server.submits.length, textOf(pdu), pdu.esm_class, pdu.data_coding, pdu.registered_delivery], [1, text, 0, 0, 1]);
    assert.equal((pdu.short_message as { message: string }).message, '');
  });
});

describe('smpp transport: throttling, refusals, connections', () => {
  test('ESME_RTHROTTLED and ESME_RMSGQFUL pause the bind and resubmit the same message: accepted, not failed; the observer hears each', async () => {
    const server = await smsc();
    const t = connect(server);
    server.answer('33612345678', 0x58, 0x14);
    const result = await send(t, 'patience');
    assert.deepEqual(server.submits.map((s) => [s.status, textOf(s.pdu), s.pdu.destination_addr]), [[0x58, 'patience', '33612345678'], [0x14, 'patience', '33612345678'], [0, 'patience', '33612345678']]);
    assert.deepEqual(result, { ok: true, providerId: server.submits[2].messageId });
    assert.equal(t.throttled, 2);
  });

  test('a burst of throttled answers pauses the bind once, not once per answer: every send of the burst is accepted in its time', async () => {
    const server = await smsc();
    const t = connect(server, { THROTTLE_PAUSE_MS: '200', WINDOW: '10' });
    await send(t, 'warm');
    server.hold = true;
    server.answer('33612345678', ...Array<number>(10).fill(0x58));
    // 10 doublings would pause 32 × 200 ms, past these sends' 3 s; one pause per burst is 200 ms.
    const sending = Array.from({ length: 10 }, (_, i) => send(t, `m${i}`, { signal: AbortSignal.timeout(3000) }));
    await waitFor('the burst', async () => (server.submits.length === 11 ? true : undefined), 5000);
    server.release();
    const results = await Promise.all(sending);
    assert.deepEqual(results.filter((r) => !r.ok), []);
    assert.equal(server.submits.length, 21, 'each throttled once, then accepted');
    assert.equal(t.throttled, 10);
  });

  test('repeated throttling doubles the pause once per episode, up to 32 × RELAIS_SMPP_THROTTLE_PAUSE_MS and no further', async () => {
    const server = await smsc();
    const t = connect(server, { THROTTLE_PAUSE_MS: '10' });
    await send(t, 'warm');
    server.answer('33612345678', ...Array<number>(8).fill(0x58));
    assert.ok((await send(t, 'patience')).ok);
    const at = server.submits.slice(1).map((s) => s.at);
    assert.equal(at.length, 9, 'eight throttled, then accepted');
    const gaps = at.slice(1).map((time, i) => time - at[i]);
    const pauses = [10, 20, 40, 80, 160, 320, 320, 320];
    // A timer never fires early: each gap is at least its pause. Late it may be; not by a doubling.
    gaps.forEach((gap, i) => assert.ok(gap >= pauses[i], `pause ${i + 1}: ${gap} ms, at least ${pauses[i]} (${gaps.join(', ')})`));
    for (const gap of gaps.slice(5)) assert.ok(gap < 640, `the cap holds: ${gap} ms (${gaps.join(', ')})`);
    assert.equal(t.throttled, 8);
  });

  test('other statuses follow the table: a bad destination is permanent, an SMSC error retryable, an unknown status retryable; the provider code is the hex status', async () => {
    const server = await smsc();
    const t = connect(server);
    server.answer('33612345678', 0x0b, 0x08, 0x4242);
    assert.deepEqual(await send(t, 'a'), { ok: false, retryable: false, reason: 'SMSC refused the message: ESME_RINVDSTADR', providerCode: '0x0000000B' });
    assert.deepEqual(await send(t, 'b'), { ok: false, retryable: true, reason: 'SMSC refused the message: ESME_RSYSERR', providerCode: '0x00000008' });
    assert.deepEqual(await send(t, 'c'), { ok: false, retryable: true, reason: 'SMSC refused the message: 0x00004242', providerCode: '0x00004242' });
    assert.equal(t.throttled, 0);
  });

  test('a connection dropped with a submit outstanding: that send is retryable (the SMSC may have it), the bind comes back and sends again', async () => {
    const server = await smsc();
    const t = connect(server);
    server.answer('33612345678', 'drop');
    const lost = await send(t, 'lost');
    assert.ok(!lost.ok && lost.retryable, JSON.stringify(lost));
    assert.match(lost.reason, /may have taken the message/);
    const again = await send(t, 'again');
    assert.deepEqual(again, { ok: true, providerId: server.submits[1].messageId });
    assert.equal(server.binds.length, 2, 'bound again');
  });

  test('an answer that is no submit_sm_resp, or a bind in the wrong state, fails that send retryably and rebinds; accepted without an id is permanent', async () => {
    const server = await smsc();
    const t = connect(server);
    server.answer('33612345678', 'nack', 0x04, 'no-id');
    assert.deepEqual(await send(t, 'a'), { ok: false, retryable: true, reason: 'SMSC refused the message: 0x00000003', providerCode: '0x00000003' });
    assert.deepEqual(await send(t, 'b'), { ok: false, retryable: true, reason: 'SMSC refused the message: ESME_RINVBNDSTS', providerCode: '0x00000004' });
    assert.deepEqual(await send(t, 'c'), { ok: false, retryable: false, reason: 'the SMSC accepted the message without a message_id' });
    assert.deepEqual(await send(t, 'd'), { ok: true, providerId: server.submits[3].messageId });
    assert.deepEqual(server.submits.map((s) => s.session), [0, 1, 2, 2], 'a new session after the nack and after ESME_RINVBNDSTS');
    assert.equal(server.binds.length, 3);
  });

  test('close leaves no timer behind, even with a bind unanswered: the process can exit', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => silent.close(() => resolve())) });
    const accepted = once(silent, 'connection');
    const t = new SmppTransport(smppModule.parse({ ...DEFAULTS, URL: `smpp://a:b@127.0.0.1:${(silent.address() as AddressInfo).port}`, TIMEOUT_MS: '60000' }));
    const [socket] = (await accepted) as [Socket];
    await t.close();
    socket.destroy();
    assert.equal(timers(), before);
  });

  test('a refused bind is retried with backoff; the sends meanwhile are retryable and name why', async () => {
    const server = await smsc();
    const t = new SmppTransport(smppModule.parse({ ...DEFAULTS, URL: server.url(SYSTEM_ID, 'wrong'), TIMEOUT_MS: '300', RECONNECT_MIN_MS: '20', RECONNECT_MAX_MS: '40' }));
    opened.push(t);
    const result = await send(t, 'x');
    assert.deepEqual(result, { ok: false, retryable: true, reason: 'no SMPP bind is up (the SMSC refused the bind: ESME_RINVPASWD)' });
    assert.ok(server.binds.length >= 2, 'binds again after a refusal');
    assert.deepEqual(server.submits, []);
  });

  test('a send waiting for a bind gives up after RELAIS_SMPP_TIMEOUT_MS even when the garbage collector runs meanwhile', async () => {
    // Node 20 could collect an AbortSignal.timeout held only by AbortSignal.any: the wait then ran to the caller's signal.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const server = await smsc();
    const t = new SmppTransport(smppModule.parse({ ...DEFAULTS, URL: server.url(SYSTEM_ID, 'wrong'), TIMEOUT_MS: '1000', RECONNECT_MIN_MS: '20', RECONNECT_MAX_MS: '40' }));
    opened.push(t);
    const collecting = setInterval(gc, 20);
    try {
      const result = await send(t, 'x', { signal: AbortSignal.timeout(5_000) });
      assert.deepEqual(result, { ok: false, retryable: true, reason: 'no SMPP bind is up (the SMSC refused the bind: ESME_RINVPASWD)' });
    } finally {
      clearInterval(collecting);
    }
  });

  test('binds dropped at once: the reconnection delay doubles up to RELAIS_SMPP_RECONNECT_MAX_MS; a bind that held an enquire_link interval starts it again', async () => {
    const gapsOf = (times: number[]) => times.slice(1).map((time, i) => time - times[i]);
    const quick = await smsc();
    quick.dropBindsAfterMs = 0;
    const dropped = connect(quick, { RECONNECT_MIN_MS: '20', RECONNECT_MAX_MS: '160', ENQUIRE_LINK_MS: '60000' });
    await waitFor('eight binds', async () => (quick.bindTimes.length >= 8 ? true : undefined), 10_000);
    await dropped.close();
    const gaps = gapsOf(quick.bindTimes.slice(0, 8));
    // The delay is between half and all of 20 × 2^failures, at most 160: the half is a floor.
    const floors = [10, 20, 40, 80, 80, 80, 80];
    gaps.forEach((gap, i) => assert.ok(gap >= floors[i], `reconnection ${i + 1}: ${gap} ms, at least ${floors[i]} (${gaps.join(', ')})`));
    for (const gap of gaps.slice(3)) assert.ok(gap < 160 + 1000, `at most the maximum, give or take a busy machine: ${gap} ms`);
    // Each bind holds 450 ms, the 100 ms interval with room for a stalled machine.
    const held = await smsc();
    held.dropBindsAfterMs = 450;
    const holding = connect(held, { RECONNECT_MIN_MS: '20', RECONNECT_MAX_MS: '5000', ENQUIRE_LINK_MS: '100' });
    await waitFor('seven binds', async () => (held.bindTimes.length >= 7 ? true : undefined), 10_000);
    await holding.close();
    // Without the restart the sixth delay would be at least 320 ms; with it, at most 20.
    const last = gapsOf(held.bindTimes.slice(0, 7)).at(-1)! - 450;
    assert.ok(last < 320, `after binds that held, the delay is back to the minimum: ${last} ms`);
  });

  test('enquire_link keeps the bind alive at RELAIS_SMPP_ENQUIRE_LINK_MS', async () => {
    const server = await smsc();
    const t = connect(server, { ENQUIRE_LINK_MS: '100' });
    await send(t, 'x');
    await waitFor('two enquire_link', async () => (server.enquireLinks.length >= 2 ? true : undefined), 5000);
    assert.deepEqual(await send(t, 'y'), { ok: true, providerId: server.submits[1].messageId });
    assert.equal(server.binds.length, 1);
  });

  test('several binds: sends are spread over them; the window bounds the submits awaiting an answer per bind', async () => {
    const server = await smsc();
    const t = connect(server, { BINDS: '3', WINDOW: '2' });
    await waitFor('three binds', async () => (server.binds.length === 3 ? true : undefined), 5000);
    await send(t, 'warm');
    server.hold = true;
    const sending = Array.from({ length: 12 }, (_, i) => send(t, `m${i}`));
    await waitFor('a full window on every bind', async () => (server.submits.length === 1 + 6 ? true : undefined), 5000);
    server.release();
    const results = await Promise.all(sending);
    assert.ok(results.every((r) => r.ok), JSON.stringify(results));
    assert.equal(server.maxUnanswered, 2, 'never more than the window outstanding on a bind');
    const perSession = new Map<number, number>();
    for (const s of server.submits.slice(1)) perSession.set(s.session, (perSession.get(s.session) ?? 0) + 1);
    assert.deepEqual([...perSession.values()], [4, 4, 4]);
  });

  test('transmitter-receiver: a transmitter and a receiver per bind; receipts come on the receiver', async () => {
    const server = await smsc();
    const t = connect(server, { BIND: 'transmitter-receiver' });
    const got: Receipt[] = [];
    t.receipts(async (r) => void got.push(r));
    await waitFor('two binds', async () => (server.binds.length === 2 ? true : undefined), 5000);
    assert.deepEqual(server.binds.map((b) => b.command).sort(), ['bind_receiver', 'bind_transmitter']);
    const result = await send(t, 'x');
    assert.ok(result.ok);
    assert.equal(await server.receipt(server.submits[0].messageId!, 'DELIVRD'), 0);
    assert.deepEqual(got, [{ providerId: result.providerId, status: 'delivered', providerCode: '000' }]);
  });

  test('close unbinds every bind and waits for the sends in flight', async () => {
    const server = await smsc();
    const t = connect(server, { BINDS: '2' });
    await waitFor('two binds', async () => (server.binds.length === 2 ? true : undefined), 5000);
    server.hold = true;
    const sending = send(t, 'last');
    await waitFor('the submit', async () => (server.submits.length === 1 ? true : undefined), 5000);
    const closing = t.close();
    server.release();
    await closing;
    assert.deepEqual(await sending, { ok: true, providerId: server.submits[0].messageId });
    assert.equal(server.unbinds.length, 2);
    await assert.rejects(send(t, 'after'), /closed/);
  });
});

describe('smpp transport: receipts and mobile-originated messages', () => {
  /** A transport to a new SMSC keeping the receipts and MO messages it hands over, after one send. */
  async function listening(over: Record<string, string> = {}) {
    const server = await smsc();
    const t = connect(server, over);
    const receipts: Receipt[] = [];
    const got: InboundMessage[] = [];
    t.receipts(async (r) => void receipts.push(r));
    t.inbound(async (m) => void got.push(m));
    const sent = await send(t, 'x');
    return { server, t, receipts, got, sent };
  }

  test('a receipt is handed over with the submit_sm_resp id and acknowledged once recorded; a failed record is answered ESME_RX_T_APPN', async () => {
    const server = await smsc();
    const t = connect(server);
    const got: Receipt[] = [];
    let fail = false;
    t.receipts(async (r) => {
      if (fail) throw new Error('database down');
      got.push(r);
    });
    const sent = await send(t, 'x');
    assert.ok(sent.ok);
    const id = server.submits[0].messageId!;
    assert.equal(await server.receipt(id, 'DELIVRD'), 0);
    assert.equal(await server.receipt(id, 'UNDELIV', '027'), 0);
    assert.equal(await server.receipt(id, 'ENROUTE'), 0, 'an intermediate receipt is acknowledged');
    for (const stat of ['EXPIRED', 'REJECTD', 'UNKNOWN', 'DELETED']) await server.receipt(id, stat, '001');
    assert.deepEqual(got, [
      { providerId: sent.providerId, status: 'delivered', providerCode: '000' },
      { providerId: sent.providerId, status: 'undelivered', reason: 'UNDELIV', providerCode: '027' },
      ...['EXPIRED', 'REJECTD', 'UNKNOWN', 'DELETED'].map((reason) => ({ providerId: sent.providerId, status: 'undelivered', reason, providerCode: '001' })),
    ]);
    fail = true;
    assert.equal(await server.receipt(id, 'DELIVRD'), 0x64, 'not acknowledged: the SMSC delivers it again');
  });

  test('ids hex in submit_sm_resp and decimal in the receipt text (RELAIS_SMPP_ID_FORMAT=hex-dec) match; the receipted_message_id TLV wins over the text', async () => {
    const server = await smsc();
    server.ids = 'hex';
    server.receiptTextIds = 'decimal';
    const t = connect(server, { ID_FORMAT: 'hex-dec' });
    const got: Receipt[] = [];
    t.receipts(async (r) => void got.push(r));
    const sent = await send(t, 'x');
    assert.ok(sent.ok);
    const id = server.submits[0].messageId!;
    assert.match(id, /^000A[0-9A-F]{4}$/);
    assert.equal(sent.providerId, id.toLowerCase().replace(/^0+/, ''));
    await server.receipt(id, 'DELIVRD');
    server.receiptTlv = true;
    server.receiptTextIds = 'hex';
    await server.receipt(id, 'DELIVRD');
    assert.deepEqual(got.map((r) => r.providerId), [sent.providerId, sent.providerId]);
  });

  test('a receipt that comes before the submit_sm_resp is handed over with the same id', async () => {
    const server = await smsc();
    server.receipts = 'before';
    const t = connect(server);
    const order: string[] = [];
    t.receipts(async (r) => void order.push(`receipt ${r.providerId} ${r.status}`));
    const sent = await send(t, 'x');
    order.push('sent');
    assert.ok(sent.ok);
    await waitFor('the receipt', async () => (order.length === 2 ? true : undefined), 5000);
    assert.deepEqual(order, [`receipt ${sent.providerId} delivered`, 'sent']);
  });

  test('a deliver_sm that is no receipt is a mobile-originated message: GSM-7, Latin-1, UCS-2, message_payload; acknowledged once handled', async () => {
    const server = await smsc();
    const t = connect(server);
    await send(t, 'x');
    assert.equal(await server.mo('33611111111', '33700000001', 'STOP'), 0x64, 'no handler yet: left with the SMSC');
    const got: InboundMessage[] = [];
    t.inbound(async (m) => void got.push(m));
    assert.equal(await server.mo('33611111111', '33700000001', 'STOP {now}'), 0);
    assert.equal(await server.mo('33611111112', '36180', Buffer.from('Arrêt', 'latin1'), 3), 0);
    assert.equal(await server.mo('33611111113', '36180', Buffer.from('Стоп ✋', 'utf16le').swap16(), 8), 0);
    assert.equal(await server.deliver({ source_addr_ton: 1, source_addr: '33611111114', destination_addr: 'Boutique', data_coding: 0, message_payload: 'STOP' }), 0);
    assert.deepEqual(got, [
      { from: '+33611111111', to: '+33700000001', text: 'STOP {now}' },
      { from: '+33611111112', to: '+36180', text: 'Arrêt' },
      { from: '+33611111113', to: '+36180', text: 'Стоп ✋' },
      { from: '+33611111114', to: 'Boutique', text: 'STOP' },
    ]);
  });

  test('a long MO message in parts (UDH concatenation, out of order, a part repeated with another text) is handed over once, whole: its last part reading STOP stops nothing', async () => {
    const { server, t, got } = await listening();
    const from = '33611111111';
    const head = 'Bonjour, je ne veux plus recevoir vos offres mais continuez les rappels de rendez-vous, merci. '.repeat(2).slice(0, 153);
    assert.equal(await server.moPart(from, '36180', 'STOP', { reference: 42, total: 2, seq: 2 }), 0, 'a part is acknowledged once kept');
    assert.equal(await server.moPart(from, '36180', 'CONTINUE', { reference: 42, total: 2, seq: 2 }), 0, 'a part again: acknowledged, ignored (the first copy kept)');
    assert.deepEqual(got, [], 'nothing before the whole');
    assert.equal(await server.moPart('33622222222', '36180', 'other handset', { reference: 42, total: 2, seq: 1 }), 0);
    assert.equal(await server.moPart(from, '36180', head, { reference: 42, total: 2, seq: 1 }), 0);
    // 16-bit reference, UCS-2; the sar_* TLVs.
    await server.moPart(from, '36180', 'Стоп ✋ ', { reference: 0x1234, total: 2, seq: 1 }, 8);
    await server.moPart(from, '36180', '😀 fin', { reference: 0x1234, total: 2, seq: 2 }, 8);
    const sar = (seq: number, text: string) => server.deliver({ source_addr_ton: 1, source_addr: from, dest_addr_ton: 1, destination_addr: '36180', data_coding: 0, short_message: text, sar_msg_ref_num: 7, sar_total_segments: 2, sar_segment_seqnum: seq });
    await sar(1, 'par ');
    await sar(2, 'TLV');
    assert.deepEqual(got, [
      { from: '+33611111111', to: '+36180', text: `${head}STOP` },
      { from: '+33611111111', to: '+36180', text: 'Стоп ✋ 😀 fin' },
      { from: '+33611111111', to: '+36180', text: 'par TLV' },
    ]);
    assert.equal(t.incomplete, 0);
  });

  test('a long MO message missing a part is handed over never, and counted incomplete after RELAIS_SMPP_MO_PARTS_TIMEOUT_MS; its late part does not revive it', async () => {
    const { server, t, got } = await listening({ MO_PARTS_TIMEOUT_MS: '1000' });
    assert.equal(await server.moPart('33611111111', '36180', 'one of ', { reference: 9, total: 3, seq: 1 }), 0);
    assert.equal(await server.moPart('33611111111', '36180', 'three', { reference: 9, total: 3, seq: 3 }), 0);
    await waitFor('the timeout', async () => (t.incomplete === 1 ? true : undefined), 5000);
    assert.equal(await server.moPart('33611111111', '36180', 'two ', { reference: 9, total: 3, seq: 2 }), 0);
    assert.deepEqual(got, []);
    await waitFor('the late part dropped too', async () => (t.incomplete === 2 ? true : undefined), 5000);
    assert.deepEqual(got, []);
  });

  test('when core fails to take a whole MO message, the part that completed it is answered ESME_RX_T_APPN, and delivered again it completes it', async () => {
    const server = await smsc();
    const t = connect(server);
    const got: InboundMessage[] = [];
    let fail = true;
    t.inbound(async (m) => {
      if (fail) throw new Error('database down');
      got.push(m);
    });
    await send(t, 'x');
    assert.equal(await server.moPart('33611111111', '36180', 'a', { reference: 1, total: 2, seq: 1 }), 0);
    assert.equal(await server.moPart('33611111111', '36180', 'b', { reference: 1, total: 2, seq: 2 }), 0x64);
    fail = false;
    assert.equal(await server.moPart('33611111111', '36180', 'b', { reference: 1, total: 2, seq: 2 }), 0);
    assert.equal(await server.moPart('33611111111', '36180', 'b', { reference: 1, total: 2, seq: 2 }), 0, 'once taken, a repeat starts a new wait');
    assert.deepEqual(got, [{ from: '+33611111111', to: '+36180', text: 'ab' }]);
  });

  test('the part that completed a message, delivered again while core takes the whole, gets the same answer: ESME_RX_T_APPN when core failed, so that the SMSC keeps it', async () => {
    const server = await smsc();
    const t = connect(server);
    const got: InboundMessage[] = [];
    const taking: ((ok: boolean) => void)[] = [];
    t.inbound(async (m) => {
      if (!(await new Promise<boolean>((resolve) => taking.push(resolve)))) throw new Error('database down');
      got.push(m);
    });
    await send(t, 'x');
    const part = (seq: number, text: string) => server.moPart('33611111111', '36180', text, { reference: 5, total: 2, seq });
    assert.equal(await part(1, 'a'), 0);
    const completing = part(2, 'b');
    await waitFor('core taking it', async () => (taking.length === 1 ? true : undefined), 5000);
    const again = part(2, 'b');
    // Answered in the order read: once this one is, the copy above is in too.
    assert.equal(await part(1, 'a'), 0, 'another part again: acknowledged at once');
    taking[0](false);
    assert.deepEqual(await Promise.all([completing, again]), [0x64, 0x64]);
    const redelivered = part(2, 'b');
    await waitFor('core taking it again', async () => (taking.length === 2 ? true : undefined), 5000);
    taking[1](true);
    assert.equal(await redelivered, 0);
    assert.deepEqual(got, [{ from: '+33611111111', to: '+36180', text: 'ab' }]);
  });

  test('a concatenation element shorter than its kind (cut by the UDH length) is no part: its text is handed over as it is, and acknowledged', async () => {
    const { server, got } = await listening();
    const mo = (udh: number[], text: string) => server.deliver({
      source_addr_ton: 1, source_addr: '33611111111', destination_addr: '36180', esm_class: 0x40, data_coding: 0, short_message: Buffer.concat([Buffer.from(udh), Buffer.from(text)]),
    });
    assert.equal(await mo([3, 0x08, 4, 0x12], 'STOP'), 0, 'a 16-bit reference cut after one octet');
    assert.equal(await mo([4, 0x00, 3, 9, 2], 'STOP 2'), 0, 'an 8-bit one without its number');
    assert.equal(await mo([5, 0x00, 3, 9, 2, 0], 'STOP 3'), 0, 'part 0 of 2');
    assert.deepEqual(got.map((m) => m.text), ['STOP', 'STOP 2', 'STOP 3']);
  });

  test('a handset cannot forge a receipt: with esm_class 0 and no receipted_message_id a text reading `id:… stat:…` is an MO message', async () => {
    const { server, t, receipts, got, sent } = await listening();
    assert.ok(sent.ok);
    const forged = `id:${server.submits[0].messageId} sub:001 dlvrd:000 stat:UNDELIV err:000 text:`;
    assert.equal(await server.mo('33699999999', '33700000001', forged), 0);
    assert.equal(await server.deliver({ esm_class: 0, data_coding: 0, short_message: 'id:1 stat:DELIVRD', receipted_message_id: server.submits[0].messageId }), 0);
    assert.deepEqual(got, [{ from: '+33699999999', to: '+33700000001', text: forged }]);
    assert.deepEqual(receipts, [{ providerId: sent.providerId, status: 'delivered' }], 'receipted_message_id makes it a receipt even with esm_class 0');
  });

  test('receipt text: read before `text:` (the account\'s own words cannot inject a stat:), spaces and whole words allowed, the message_state TLV first; an unreadable receipt is acknowledged and counted', async () => {
    const server = await smsc();
    const t = connect(server);
    const got: Receipt[] = [];
    t.receipts(async (r) => void got.push(r));
    await send(t, 'x');
    const receipt = (text: string, extra: Record<string, unknown> = {}) => server.deliver({ esm_class: 0x04, data_coding: 0, short_message: text, ...extra });
    assert.equal(await receipt('id:101 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:stat:UNDELIV err:666'), 0);
    assert.equal(await receipt('id: 102 sub:001 dlvrd:001 stat: DELIVERED err:000'), 0);
    assert.equal(await receipt('id:103 stat:DELIVRD err:000', { message_state: 5 }), 0);
    assert.equal(t.unreadable, 0);
    assert.equal(await receipt('id:104 stat:GARBLED err:000'), 0);
    assert.equal(await receipt('sub:001 stat:DELIVRD text:id:105'), 0);
    assert.equal(await receipt('id:106 stat:ACCEPTD'), 0, 'intermediate: acknowledged, not counted');
    assert.deepEqual(got, [
      { providerId: '101', status: 'delivered', providerCode: '000' },
      { providerId: '102', status: 'delivered', providerCode: '000' },
      { providerId: '103', status: 'undelivered', reason: 'UNDELIV', providerCode: '000' },
    ]);
    assert.equal(t.unreadable, 2);
  });

  test('data_sm is read like deliver_sm and answered data_sm_resp; a PDU above 16 KiB is taken without dropping the bind', async () => {
    const { server, t, receipts, got } = await listening();
    assert.equal(await server.deliver({ esm_class: 0x04, data_coding: 0, receipted_message_id: server.submits[0].messageId, message_state: 2 }, 'data_sm'), 0);
    const long = 'STOP '.repeat(6000);
    assert.equal(await server.deliver({ source_addr_ton: 1, source_addr: '33611111111', destination_addr: '36180', esm_class: 0, data_coding: 0, short_message: '', message_payload: long }), 0);
    assert.deepEqual(receipts, [{ providerId: server.submits[0].messageId, status: 'delivered' }]);
    assert.deepEqual(got, [{ from: '+33611111111', to: '36180', text: long }]);
    assert.equal(server.binds.length, 1);
  });

  test('a flood of deliver_sm: at most MAX_DELIVERIES_IN_PROGRESS are being recorded at once, and every one is answered', async () => {
    const server = await smsc();
    const t = connect(server);
    let active = 0;
    let most = 0;
    const held: (() => void)[] = [];
    t.receipts(async () => {
      most = Math.max(most, ++active);
      await new Promise<void>((resolve) => held.push(resolve));
      active--;
    });
    await send(t, 'x');
    const answers = Array.from({ length: 300 }, (_, i) => server.receipt(String(i), 'DELIVRD'));
    await waitFor('a full set in progress', async () => (held.length === MAX_DELIVERIES_IN_PROGRESS ? true : undefined), 5000);
    for (let i = 0; i < 300 && held.length > 0; i++) {
      for (const release of held.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
      await waitFor('the next ones', async () => (held.length > 0 || active === 0 ? true : undefined), 5000);
    }
    assert.deepEqual(new Set(await Promise.all(answers)), new Set([0]));
    assert.equal(most, MAX_DELIVERIES_IN_PROGRESS);
  });
});
