import { once } from 'node:events';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import smpp, { type Pdu, type Session } from 'smpp';
import { ESME_RINVBNDSTS, ESME_RUNKNOWNERR, isThrottle, statusName } from './command-status.js';
import type { SmppSettings } from './settings.js';

export type BindRole = 'transceiver' | 'transmitter' | 'receiver';

/** What a bind tells its pool. */
export interface BindEvents {
  /** A deliver_sm (or data_sm) came: resolves with the command_status its response carries. Never rejects. */
  deliver(pdu: Pdu): Promise<number>;
  /** The SMSC answered a submit_sm ESME_RTHROTTLED or ESME_RMSGQFUL. */
  throttled(): void;
  /** The bind is up (again). */
  bound(): void;
}

/** What became of one submit_sm: its message id, the SMSC's refusal, or no answer (the connection was lost). */
export type SubmitOutcome = { ok: true; messageId: string } | { ok: false; status: number } | { ok: false; lost: string } | { ok: false; invalid: string };

/** Throttled episodes in a row after which the pause stops doubling (32 × RELAIS_SMPP_THROTTLE_PAUSE_MS). */
const MAX_THROTTLE_DOUBLINGS = 5;

/** deliver_sm/data_sm a session reads while earlier ones are still being recorded; above, it stops reading the socket. */
export const MAX_DELIVERIES_IN_PROGRESS = 50;

/**
 * The package drops the connection on a PDU longer than its 16 KiB default, and the SMSC sends
 * the same one again on the next bind: a loop. 70 000 octets take a message_payload of 64 KiB
 * with its header and TLVs, and still bound what one PDU may make Relais hold.
 */
smpp.PDU.maxLength = 70_000;

/** What a response to a submit_sm says, and whether the session is no longer fit to submit on (a nack, a bind in the wrong state). */
function answerOf(resp: Pdu): { outcome: SubmitOutcome; unfit?: string } {
  if (resp.command === 'generic_nack') {
    const status = resp.command_status || ESME_RUNKNOWNERR;
    return { outcome: { ok: false, status }, unfit: `the SMSC answered submit_sm with generic_nack (${statusName(status)})` };
  }
  if (resp.command !== 'submit_sm_resp') return { outcome: { ok: false, lost: `the SMSC answered submit_sm with ${resp.command}` }, unfit: `the SMSC answered submit_sm with ${resp.command}` };
  if (resp.command_status === ESME_RINVBNDSTS) return { outcome: { ok: false, status: resp.command_status }, unfit: 'the SMSC says the bind is in the wrong state (ESME_RINVBNDSTS)' };
  if (resp.command_status !== 0) return { outcome: { ok: false, status: resp.command_status } };
  const messageId = typeof resp.message_id === 'string' ? resp.message_id.trim() : '';
  // Accepted without an id: no receipt could ever name it, and resubmitting would send it twice.
  return { outcome: messageId === '' ? { ok: false, invalid: 'the SMSC accepted the message without a message_id' } : { ok: true, messageId } };
}

/**
 * One SMPP session to the SMSC, kept bound: it connects, binds, keeps the link alive with
 * enquire_link, and after any loss (refused bind, error, silence, the SMSC's unbind) connects
 * again after an exponential backoff with jitter. Sends go through `submit`, which holds one of
 * the bind's window slots, spaces submits by the bind's throughput and, while the SMSC throttles,
 * pauses the whole bind and resubmits the same parameters.
 */
export class Bind {
  /** Why the bind is not up, for the reason of the sends that found no bind. */
  lastError = 'not bound yet';
  private session: Session | undefined;
  private bound = false;
  /** Set by close: no reconnection after it. */
  private closed = false;
  private failures = 0;
  private reconnect: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  /** The current session's timers (connect or bind timeout, enquire_link answer, stability): cleared when it ends. */
  private readonly timers = new Set<NodeJS.Timeout>();
  /** deliver_sm/data_sm of the current session not answered yet. */
  private deliveries = 0;
  private outstanding = 0;
  private readonly waiting: (() => void)[] = [];
  private nextSubmitAt = 0;
  private pausedUntil = 0;
  private throttles = 0;
  /** The submits awaiting their response, by sequence number: a lost connection settles them. */
  private readonly pending = new Map<number, (outcome: SubmitOutcome) => void>();

  constructor(private readonly settings: SmppSettings, readonly role: BindRole, private readonly events: BindEvents) {}

  get isBound(): boolean {
    return this.bound;
  }

  /** The sends the pool gave this bind that have not ended: it gives the next to the least loaded. */
  load = 0;

  start(): void {
    this.connect();
  }

  /**
   * One submit_sm, resubmitted while the SMSC throttles. Throws when `signal` aborts before the
   * submit is sent (a throttled one waits for its next attempt until then).
   */
  async submit(params: Record<string, unknown>, signal: AbortSignal): Promise<SubmitOutcome> {
    await this.slot(signal);
    try {
      for (;;) {
        await this.turn(signal);
        const outcome = await this.attempt(params);
        if (outcome.ok || !('status' in outcome) || !isThrottle(outcome.status)) {
          if (outcome.ok) this.throttles = 0;
          return outcome;
        }
        this.events.throttled();
        this.pause();
      }
    } finally {
      this.outstanding--;
      this.waiting.shift()?.();
    }
  }

  /**
   * Pauses the bind after a throttled answer. The answers to the submits that were already out
   * come in a burst: only one arriving after the current pause ended starts a new, doubled one,
   * else one burst of 10 would pause 32 times longer. A pause never exceeds RELAIS_SMPP_TIMEOUT_MS,
   * so that the waiting sends get their next attempt before their own time runs out.
   */
  private pause(): void {
    const now = Date.now();
    if (now < this.pausedUntil) return;
    const pause = this.settings.throttlePauseMs * 2 ** Math.min(this.throttles++, MAX_THROTTLE_DOUBLINGS);
    this.pausedUntil = now + Math.min(pause, this.settings.timeoutMs);
  }

    /** Unbinds (waiting up to the timeout for unbind_resp), closes the connection, and connects no more. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    const session = this.session;
    if (!session) return;
    if (this.bound) await this.unbind(session);
    const closed = session.socket.closed ? Promise.resolve() : once(session.socket, 'close').then(() => undefined, () => undefined);
    this.drop(session, 'closed');
    await closed;
  }

  /** Sends unbind and resolves on its response, the connection's end or the timeout, whichever comes first. */
  private unbind(session: Session): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, this.settings.timeoutMs);
      session.socket.once('close', done);
      if (!session.send(new smpp.PDU('unbind'), done)) done();
    });
  }

  private async slot(stop: AbortSignal): Promise<void> {
    while (this.outstanding >= this.settings.window) {
      stop.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = () => {
          stop.removeEventListener('abort', wake);
          const i = this.waiting.indexOf(wake);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve();
        };
        this.waiting.push(wake);
        stop.addEventListener('abort', wake, { once: true });
      });
    }
    stop.throwIfAborted();
    this.outstanding++;
  }

  /** Waits for the bind's next submit time (its throughput, a throttle pause) and takes it. */
  private async turn(stop: AbortSignal): Promise<void> {
    for (let at = Math.max(this.pausedUntil, this.nextSubmitAt); at > Date.now(); at = Math.max(this.pausedUntil, this.nextSubmitAt)) {
      await sleep(at - Date.now(), undefined, { signal: stop });
    }
    stop.throwIfAborted();
    if (this.settings.throughput) this.nextSubmitAt = Math.max(Date.now(), this.nextSubmitAt) + 1000 / this.settings.throughput;
  }

  private attempt(params: Record<string, unknown>): Promise<SubmitOutcome> {
    const session = this.session;
    if (!session || !this.bound) return Promise.resolve({ ok: false, lost: this.lastError });
    return new Promise((resolve) => {
      // A new PDU per attempt: the package numbers it when it is sent.
      const pdu = new smpp.PDU('submit_sm', params);
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: SubmitOutcome) => {
        this.clear(timer);
        this.pending.delete(pdu.sequence_number);
        resolve(outcome);
      };
      const sent = session.send(pdu, (resp) => {
        const { outcome, unfit } = answerOf(resp);
        settle(outcome);
        if (unfit) this.drop(session, unfit);
      });
      if (!sent) return resolve({ ok: false, lost: 'the connection to the SMSC is closed' });
      this.pending.set(pdu.sequence_number, settle);
      timer = this.timer(() => this.drop(session, `no submit_sm_resp within ${this.settings.timeoutMs} ms`), this.settings.timeoutMs);
    });
  }

  private connect(): void {
    if (this.closed) return;
    const s = this.settings;
    const tls = s.tls ? { ca: s.tlsCa, rejectUnauthorized: s.tlsRejectUnauthorized, ...(isIP(s.host) ? {} : { servername: s.host }) } : {};
    const session = smpp.connect({ host: s.host, port: s.port, tls: s.tls, ...tls });
    this.session = session;
    this.deliveries = 0;
    const timer = this.timer(() => this.drop(session, `not bound within ${s.timeoutMs} ms`), s.timeoutMs);
    session.on(s.tls ? 'secureConnect' : 'connect', () => this.bind(session, timer));
    session.on('error', (err: Error) => this.drop(session, err.message));
    session.on('close', () => this.drop(session, 'the SMSC closed the connection'));
    session.on('deliver_sm', (pdu: Pdu) => this.deliver(session, pdu));
    session.on('data_sm', (pdu: Pdu) => this.deliver(session, pdu));
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      this.drop(session, 'the SMSC unbound');
    });
    session.on('unknown', (pdu: Pdu) => session.send(pdu.response()));
  }

  private bind(session: Session, timer: NodeJS.Timeout): void {
    const s = this.settings;
    const pdu = new smpp.PDU(`bind_${this.role}`, { system_id: s.systemId, password: s.password, system_type: s.systemType, interface_version: 0x34 });
    session.send(pdu, (resp) => {
      this.clear(timer);
      if (resp.command_status !== 0) return this.drop(session, `the SMSC refused the bind: ${statusName(resp.command_status)}`);
      this.bound = true;
      // The backoff restarts only for a bind that held: one dropped at once (a PDU it cannot take) keeps growing it.
      this.timer(() => (this.failures = 0), s.enquireLinkMs);
      this.keepAlive = setInterval(() => this.enquire(session), s.enquireLinkMs);
      this.events.bound();
    });
  }

  private enquire(session: Session): void {
    const timer = this.timer(() => this.drop(session, `no enquire_link_resp within ${this.settings.timeoutMs} ms`), this.settings.timeoutMs);
    if (!session.send(new smpp.PDU('enquire_link'), () => this.clear(timer))) this.clear(timer);
  }

  /**
   * Hands a deliver_sm or data_sm over and answers it once handled. Past
   * MAX_DELIVERIES_IN_PROGRESS unanswered, the session stops reading until one is answered: a
   * flood waits in the socket (and the SMSC's window), not in memory and database connections.
   */
  private deliver(session: Session, pdu: Pdu): void {
    if (++this.deliveries >= MAX_DELIVERIES_IN_PROGRESS) session.pause();
    void this.events.deliver(pdu).then((status) => {
      if (session !== this.session) return;
      session.send(pdu.response({ command_status: status }));
      if (--this.deliveries < MAX_DELIVERIES_IN_PROGRESS) session.resume();
    });
  }

  private timer(run: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private clear(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Ends `session` (if it is still this bind's): its outstanding submits are lost, and a new one follows after the backoff. */
  private drop(session: Session, why: string): void {
    if (session !== this.session) return;
    this.session = undefined;
    this.bound = false;
    this.lastError = why;
    clearInterval(this.keepAlive);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    session.destroy();
    for (const settle of [...this.pending.values()]) settle({ ok: false, lost: `${why}: the SMSC may have taken the message` });
    if (this.closed) return;
    const ceiling = Math.min(this.settings.reconnectMaxMs, this.settings.reconnectMinMs * 2 ** Math.min(this.failures++, 30));
    this.reconnect = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }
}
