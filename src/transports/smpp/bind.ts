import { once } from 'node:events';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import smpp, { type Pdu, type Session } from 'smpp';
import { isThrottle, statusName } from './command-status.js';
import type { SmppSettings } from './settings.js';

export type BindRole = 'transceiver' | 'transmitter' | 'receiver';

/** What a bind tells its pool. */
export interface BindEvents {
  /** A deliver_sm came: resolves with the command_status its deliver_sm_resp carries. Never rejects. */
  deliver(pdu: Pdu): Promise<number>;
  /** The SMSC answered a submit_sm ESME_RTHROTTLED or ESME_RMSGQFUL. */
  throttled(): void;
  /** The bind is up (again). */
  bound(): void;
}

/** What became of one submit_sm: its message id, the SMSC's refusal, or no answer (the connection was lost). */
export type SubmitOutcome = { ok: true; messageId: string } | { ok: false; status: number } | { ok: false; lost: string };

/** Consecutive throttled answers after which the pause stops doubling (32 × RELAIS_SMPP_THROTTLE_PAUSE_MS). */
const MAX_THROTTLE_DOUBLINGS = 5;

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
        this.pausedUntil = Date.now() + this.settings.throttlePauseMs * 2 ** Math.min(this.throttles++, MAX_THROTTLE_DOUBLINGS);
      }
    } finally {
      this.outstanding--;
      this.waiting.shift()?.();
    }
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
        clearTimeout(timer);
        this.pending.delete(pdu.sequence_number);
        resolve(outcome);
      };
      const sent = session.send(pdu, (resp) => settle(resp.command_status === 0 ? { ok: true, messageId: String(resp.message_id ?? '') } : { ok: false, status: resp.command_status }));
      if (!sent) return resolve({ ok: false, lost: 'the connection to the SMSC is closed' });
      this.pending.set(pdu.sequence_number, settle);
      timer = setTimeout(() => this.drop(session, `no submit_sm_resp within ${this.settings.timeoutMs} ms`), this.settings.timeoutMs);
    });
  }

  private connect(): void {
    if (this.closed) return;
    const s = this.settings;
    const tls = s.tls ? { ca: s.tlsCa, rejectUnauthorized: s.tlsRejectUnauthorized, ...(isIP(s.host) ? {} : { servername: s.host }) } : {};
    const session = smpp.connect({ host: s.host, port: s.port, tls: s.tls, ...tls });
    this.session = session;
    const timer = setTimeout(() => this.drop(session, `not bound within ${s.timeoutMs} ms`), s.timeoutMs);
    session.on(s.tls ? 'secureConnect' : 'connect', () => this.bind(session, timer));
    session.on('error', (err: Error) => this.drop(session, err.message));
    session.on('close', () => this.drop(session, 'the SMSC closed the connection'));
    session.on('deliver_sm', (pdu: Pdu) => void this.events.deliver(pdu).then((status) => session.send(pdu.response({ command_status: status }))));
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
      clearTimeout(timer);
      if (resp.command_status !== 0) return this.drop(session, `the SMSC refused the bind: ${statusName(resp.command_status)}`);
      this.bound = true;
      this.failures = 0;
      this.keepAlive = setInterval(() => this.enquire(session), s.enquireLinkMs);
      this.events.bound();
    });
  }

  private enquire(session: Session): void {
    const timer = setTimeout(() => this.drop(session, `no enquire_link_resp within ${this.settings.timeoutMs} ms`), this.settings.timeoutMs);
    if (!session.send(new smpp.PDU('enquire_link'), () => clearTimeout(timer))) clearTimeout(timer);
  }

  /** Ends `session` (if it is still this bind's): its outstanding submits are lost, and a new one follows after the backoff. */
  private drop(session: Session, why: string): void {
    if (session !== this.session) return;
    this.session = undefined;
    this.bound = false;
    this.lastError = why;
    clearInterval(this.keepAlive);
    session.destroy();
    for (const settle of [...this.pending.values()]) settle({ ok: false, lost: `${why}: the SMSC may have taken the message` });
    if (this.closed) return;
    const ceiling = Math.min(this.settings.reconnectMaxMs, this.settings.reconnectMinMs * 2 ** Math.min(this.failures++, 30));
    this.reconnect = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }
}
