import type { InboundMessage } from '../../core/transport.js';
import type { ConcatPart } from './deliver.js';

/** Bounds of what the parts waiting for the rest of their message may hold, per bind. */
export const MO_OPEN_PER_BIND = 1000;
export const MO_CHARS_PER_BIND = 1_000_000;

interface Waiting {
  texts: Map<number, string>;
  total: number;
  chars: number;
  timer: NodeJS.Timeout;
}

/** A message whose parts are all in: `finish` says whether core took it. */
export interface Whole {
  message: InboundMessage;
  /**
   * true: the message is forgotten. false: the part that completed it is taken back, the others
   * kept, so that the SMSC delivering that part again completes it again (within the timeout).
   */
  finish(handled: boolean): void;
}

/**
 * The parts of long MO messages, by (source, destination, reference, total), until the last
 * comes (DECISIONS §37). Bounded: a message not complete within `timeoutMs` of its first part is
 * dropped; past `maxOpen` messages or `maxChars` characters the oldest is. Each drop is reported
 * to `dropped`. Parts already in are ignored when they come again.
 */
export class MoReassembly {
  /** In the order their first part came: the first is the oldest. */
  private readonly waiting = new Map<string, Waiting>();
  private chars = 0;

  constructor(private readonly limits: { maxOpen: number; maxChars: number; timeoutMs: number }, private readonly dropped: () => void) {}

  /** Keeps `part`; the whole message when it was the last one missing. */
  add(message: InboundMessage, part: ConcatPart): Whole | undefined {
    const key = JSON.stringify([message.from, message.to, part.reference, part.total]);
    let entry = this.waiting.get(key);
    if (!entry) {
      entry = { texts: new Map(), total: part.total, chars: 0, timer: setTimeout(() => this.drop(key), this.limits.timeoutMs) };
      this.waiting.set(key, entry);
    }
    // A part already in, or one that comes while core takes the whole message, is a duplicate.
    if (entry.texts.has(part.seq)) return undefined;
    entry.texts.set(part.seq, message.text);
    entry.chars += message.text.length;
    this.chars += message.text.length;
    if (entry.texts.size < entry.total) {
      this.bound(key);
      return undefined;
    }
    const text = Array.from({ length: entry.total }, (_, i) => entry.texts.get(i + 1)).join('');
    // While core takes it, its time does not run out; taken back, it gets the timeout again.
    clearTimeout(entry.timer);
    const waiting = entry;
    return {
      message: { ...message, text },
      finish: (handled) => {
        if (this.waiting.get(key) !== waiting) return;
        if (handled) return this.forget(key);
        waiting.texts.delete(part.seq);
        waiting.chars -= message.text.length;
        this.chars -= message.text.length;
        waiting.timer = setTimeout(() => this.drop(key), this.limits.timeoutMs);
      },
    };
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
