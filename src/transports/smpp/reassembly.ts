import type { InboundMessage } from '../../core/transport.js';
import type { ConcatPart } from './deliver.js';

/** Bounds of what the parts waiting for the rest of their message may hold, per bind. */
export const MO_OPEN_PER_BIND = 1000;
export const MO_CHARS_PER_BIND = 1_000_000;

/**
 * The longest part a handset sends: short_message holds 254 octets, and the codings read
 * (GSM-7, ASCII, Latin-1, UCS-2) take at least one octet a character. A longer part (a
 * message_payload) is no handset part: it would make one message evict every other.
 */
export const MO_PART_CHARS = 254;

interface Waiting {
  texts: Map<number, string>;
  total: number;
  chars: number;
  timer: NodeJS.Timeout;
  /** While core takes the whole: the part that completed it, and whether core took it. */
  handing?: { seq: number; handled: Promise<boolean> };
}

/**
 * The parts of long MO messages, by (source, destination, reference, total), until the last
 * comes (DECISIONS §37). Bounded: a message not complete within `timeoutMs` of its first part is
 * dropped; past `maxOpen` messages or `maxChars` characters the oldest is; a part longer than
 * MO_PART_CHARS drops its own. Each drop is reported to `dropped`. Parts already in are ignored
 * when they come again.
 */
export class MoReassembly {
  /** In the order their first part came: the first is the oldest. */
  private readonly waiting = new Map<string, Waiting>();
  private chars = 0;

  constructor(private readonly limits: { maxOpen: number; maxChars: number; timeoutMs: number }, private readonly dropped: () => void) {}

  /**
   * Keeps `part`, and hands the whole message to `handle` when it was the last one missing.
   * Resolves whether the part may be acknowledged: false when core failed to take the whole; the
   * part that completed it is then taken back, the others kept, so that the SMSC delivering it
   * again within `timeoutMs` completes it again. That part coming again while core takes the
   * whole waits for the same answer: acknowledged at once, it would be lost if core failed.
   */
  add(message: InboundMessage, part: ConcatPart, handle: (whole: InboundMessage) => Promise<void>): Promise<boolean> {
    const key = JSON.stringify([message.from, message.to, part.reference, part.total]);
    let entry = this.waiting.get(key);
    if (entry?.handing) return entry.handing.seq === part.seq ? entry.handing.handled : Promise.resolve(true);
    if (!entry) {
      entry = { texts: new Map(), total: part.total, chars: 0, timer: this.timeout(key) };
      this.waiting.set(key, entry);
    }
    if (message.text.length > MO_PART_CHARS) {
      this.drop(key);
      return Promise.resolve(true);
    }
    if (entry.texts.has(part.seq)) return Promise.resolve(true);
    entry.texts.set(part.seq, message.text);
    entry.chars += message.text.length;
    this.chars += message.text.length;
    if (entry.texts.size < entry.total) {
      this.bound(key);
      return Promise.resolve(true);
    }
    const whole = { ...message, text: Array.from({ length: entry.total }, (_, i) => entry.texts.get(i + 1)).join('') };
    // While core takes it, its time does not run out; taken back, it gets the timeout again.
    clearTimeout(entry.timer);
    const waiting = entry;
    const handled = Promise.resolve().then(() => handle(whole)).then(() => true, () => false).then((ok) => {
      waiting.handing = undefined;
      if (this.waiting.get(key) !== waiting) return ok;
      if (ok) this.forget(key);
      else {
        waiting.texts.delete(part.seq);
        waiting.chars -= message.text.length;
        this.chars -= message.text.length;
        waiting.timer = this.timeout(key);
      }
      return ok;
    });
    entry.handing = { seq: part.seq, handled };
    return handled;
  }

  close(): void {
    for (const entry of this.waiting.values()) clearTimeout(entry.timer);
    this.waiting.clear();
    this.chars = 0;
  }

  /**
   * Drops the oldest messages while a bound is exceeded: not `kept`, the one a part was just added
   * to (unless it alone is over), nor one core is taking (all its parts are in).
   */
  private bound(kept: string): void {
    for (const [key, entry] of this.waiting) {
      if (this.waiting.size <= this.limits.maxOpen && this.chars <= this.limits.maxChars) return;
      if ((key !== kept || this.waiting.size === 1) && entry.texts.size < entry.total) this.drop(key);
    }
  }

  /** Unref'd: parts waiting do not keep a closing process alive. */
  private timeout(key: string): NodeJS.Timeout {
    return setTimeout(() => this.drop(key), this.limits.timeoutMs).unref();
  }

  private drop(key: string): void {
    if (!this.waiting.has(key)) return;
    this.forget(key);
    this.dropped();
  }

  private forget(key: string): void {
    const entry = this.waiting.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.chars -= entry.chars;
    this.waiting.delete(key);
  }
}
