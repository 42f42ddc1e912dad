import { describe } from 'node:test';
import type { Core } from '../../src/core/context.js';
import type { Store } from '../../src/core/ports.js';
import type { OutgoingMessage, SendResult, Transport, TransportMessage, TransportRecipient } from '../../src/core/transport.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import type { Message, OutboxEntry } from '../../src/core/types.js';
import { InFlight } from '../../src/transports/in-flight.js';
import { OutboxTransport } from '../../src/transports/outbox.js';
import { DIALECTS, postgresAvailable, type Dialect } from './store.js';

const CI = process.env.CI === 'true';
const pgReachable = DIALECTS.includes('postgres') ? await postgresAvailable() : false;

/**
 * `describe(\`${name} [${dialect}]\`)` once per dialect in DIALECTS, for suites that open their
 * own databases (startTestApp, child servers). PostgreSQL unreachable: skipped locally; under
 * CI=true the tests run and fail on their first connection.
 */
export function eachDialect(name: string, fn: (dialect: Dialect) => void): void {
  for (const dialect of DIALECTS) {
    const skip = dialect === 'postgres' && !pgReachable && !CI ? 'PostgreSQL not reachable at 127.0.0.1:5432' : false;
    describe(`${name} [${dialect}]`, { skip }, () => fn(dialect));
  }
}

/** A valid French mobile number, distinct for every i below 10^7. */
export const phone = (i: number): string => `+3361${String(i).padStart(7, '0')}`;

/** Price of one single-segment SMS to one recipient at the default tariff (0.045 EUR). */
export const SMS_PRICE = 45;

export function scheduleSms(core: Core, accountId: number, to: string[], sendAt: number, text = 'hello'): Promise<Message> {
  return scheduleMessage(core, accountId, {
    channel: 'sms', recipients: to, sendAt, content: { channel: 'sms', text, sender: null, unicode: false },
  }).then((r) => r.message);
}

/** What a script answers for one call: a result, or `throw` to make the transport throw. */
export type Scripted = SendResult | { throw: string } | undefined;

/**
 * A transport that answers what `script` says for each recipient (n = 1 for the first send to
 * that recipient) and otherwise delegates to the real outbox transport, so that every success is
 * an outbox row. Records every recipient it is asked to send to. A `throw` fails the whole call.
 */
export class ScriptedTransport implements Transport {
  readonly name: string = 'scripted';
  readonly calls: OutgoingMessage[] = [];
  private readonly outbox: OutboxTransport;
  private readonly inFlight = new InFlight();

  constructor(core: Core, private readonly script: (msg: OutgoingMessage, n: number) => Scripted | Promise<Scripted> = () => undefined) {
    this.outbox = new OutboxTransport(core.store.autocommit, core.clock, { links: core.links, unsubscribeMailto: null });
  }

  callsFor(recipientId: number): number {
    return this.calls.filter((c) => c.recipientId === recipientId).length;
  }

  send(message: TransportMessage, recipients: TransportRecipient[], opts?: { signal: AbortSignal }): Promise<SendResult[]> {
    return this.inFlight.run(this.name, async () => {
      const results: SendResult[] = [];
      for (const recipient of recipients) {
        const msg: OutgoingMessage = { ...message, ...recipient };
        this.calls.push(msg);
        const r = await untilAborted(this.script(msg, this.callsFor(msg.recipientId)), opts?.signal);
        if (r !== undefined && 'throw' in r) throw new Error(r.throw);
        results.push(r ?? (await this.outbox.send(message, [recipient]))[0]);
      }
      return results;
    });
  }

  async close(): Promise<void> {
    await this.inFlight.close();
    await this.outbox.close();
  }
}

/** Every outbox row (all accounts), oldest first. */
export async function allOutbox(store: Store): Promise<OutboxEntry[]> {
  return (await store.autocommit.listOutbox({ limit: 1_000_000 })).reverse();
}

/** Outbox rows per recipient id. */
export function countByRecipient(rows: OutboxEntry[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of rows) m.set(r.recipientId, (m.get(r.recipientId) ?? 0) + 1);
  return m;
}

/** Polls `check` until it returns a value other than undefined, or throws at the deadline. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs `fn` over `items` with at most `width` calls in flight; resolves when all are done. */
export async function pool<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/**
 * Test setup at volume: stores SMS messages and debits them exactly as scheduleMessage does
 * (same store calls, same prices), but `chunk` messages per transaction instead of one.
 */
export async function scheduleSmsBulk(core: Core, items: { accountId: number; to: string[] }[], sendAt: number, chunk = 100): Promise<Message[]> {
  const now = core.clock.now();
  const content = { channel: 'sms', text: 'hello', sender: null, unicode: false } as const;
  const out: Message[] = [];
  for (let i = 0; i < items.length; i += chunk) {
    out.push(...await core.store.transaction(async (tx) => {
      const stored: Message[] = [];
      for (const { accountId, to } of items.slice(i, i + chunk)) {
        const price = SMS_PRICE * to.length;
        const m = await tx.insertMessage({
          accountId, channel: 'sms', sendAt, createdAt: now, tag: null, batchId: null, idempotencyKey: null, requestHash: null,
          metadata: null, content, units: 1, price, recipients: to.map((address) => ({ address, price: SMS_PRICE })),
        });
        const debit = await tx.applyLedgerEntry({ accountId, kind: 'debit', amount: -price, messageId: m.id, cause: `message ${m.id} scheduled`, createdAt: now }, 0);
        if (!debit) throw new Error(`account ${accountId}: insufficient credit for the test setup`);
        stored.push(m);
      }
      await tx.insertEvents(stored.map((m) => ({ messageId: m.id, recipientId: null, type: 'scheduled', at: now, data: { sendAt, recipients: m.recipientCount, price: m.price } })));
      return stored;
    }));
  }
  return out;
}

/** A script's answer, or a rejection once `signal` aborts: the scripted transport honours the signal, as a transport must. */
function untilAborted<T>(answer: T | Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return Promise.resolve(answer);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    Promise.resolve(answer).then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
