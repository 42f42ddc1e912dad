import type { AddressInfo } from 'node:net';
import smpp, { type Pdu, type Session, type SmppServer } from 'smpp';

export const SYSTEM_ID = 'relais';
export const PASSWORD = 's3cr@t';

/** A submit_sm the SMSC got, with the message id it gave it (undefined while held, or refused). */
export interface ReceivedSubmit {
  pdu: Pdu;
  /** The session's index in `TestSmsc.sessions`. */
  session: number;
  messageId?: string;
  status: number;
  /** When it came (Date.now()). */
  at: number;
}

/**
 * The next answer to a submit_sm to an address: a command_status; `drop`: the SMSC takes the
 * message (it gets an id, it would be delivered) and the connection drops before its answer;
 * `nack`: a generic_nack ESME_RINVCMDID; `no-id`: a submit_sm_resp ESME_ROK with an empty message_id.
 */
export type SubmitPlan = number | 'drop' | 'nack' | 'no-id';

/** When the SMSC sends a receipt for what it accepts: never, after its submit_sm_resp, or before it. */
export type ReceiptTiming = 'none' | 'after' | 'before';

/**
 * A real SMSC (the smpp package's server) on 127.0.0.1: it checks bind credentials, answers
 * submit_sm with ids (hex or decimal), keeps every PDU it got, sends receipts and MO messages,
 * refuses or throttles submits as planned, holds its answers on demand and drops connections.
 */
export class TestSmsc {
  readonly sessions: Session[] = [];
  /** Every bind PDU, refused or not, and when each came (Date.now()). */
  readonly binds: Pdu[] = [];
  readonly bindTimes: number[] = [];
  /** Drop each connection this many ms after accepting its bind (0: right after its answer); undefined: keep it. */
  dropBindsAfterMs: number | undefined;
  readonly submits: ReceivedSubmit[] = [];
  readonly enquireLinks: number[] = [];
  readonly unbinds: number[] = [];
  /** How ids are written in submit_sm_resp (and in the receipt text unless `receiptTextIds` says otherwise). */
  ids: 'hex' | 'decimal' = 'decimal';
  receiptTextIds: 'hex' | 'decimal' | undefined;
  receipts: ReceiptTiming = 'none';
  /** Also put the receipt's id in the receipted_message_id TLV. */
  receiptTlv = false;
  /** Answer submits only when `release()` is called. */
  hold = false;
  /** The most submit_sm one session had unanswered at once. */
  maxUnanswered = 0;
  private readonly plan = new Map<string, SubmitPlan[]>();
  private readonly held: (() => void)[] = [];
  private readonly unanswered = new Map<Session, number>();
  private readonly server: SmppServer;
  private count = 0;
  port = 0;

  /** With `tls` (a key and certificate), the server speaks TLS from the first byte (ssmpp). */
  constructor(private readonly tls?: { key: string; cert: string }) {
    this.server = smpp.createServer({ ...tls }, (session) => this.accept(session));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(systemId = SYSTEM_ID, password = PASSWORD): string {
    return `${this.tls ? 'ssmpp' : 'smpp'}://${encodeURIComponent(systemId)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  /** Plans the next answers to submits to `address` (digits as submitted), one per submit_sm. */
  answer(address: string, ...plans: SubmitPlan[]): void {
    this.plan.set(address, [...(this.plan.get(address) ?? []), ...plans]);
  }

  /** Answers the held submits. */
  release(): void {
    this.hold = false;
    for (const answer of this.held.splice(0)) answer();
  }

  /** The sessions bound as `role`s that take deliver_sm (transceiver, receiver), open. */
  receivers(): Session[] {
    return this.sessions.filter((s) => !s.socket.destroyed && ['bind_transceiver', 'bind_receiver'].includes(String((s as Session & { bound?: string }).bound)));
  }

  /** Sends a deliver_sm (or a data_sm) on the first receiving session; resolves with the command_status of its response. */
  deliver(params: Record<string, unknown>, command: 'deliver_sm' | 'data_sm' = 'deliver_sm'): Promise<number> {
    const [session] = this.receivers();
    if (!session) return Promise.reject(new Error(`no session takes ${command}`));
    return new Promise((resolve, reject) => {
      if (!session.send(new smpp.PDU(command, params), (resp) => resolve(resp.command === `${command}_resp` ? resp.command_status : -1))) reject(new Error('session closed'));
    });
  }

  /** A delivery receipt for `messageId` (as the submit_sm_resp wrote it), with the receipt text of SMPP 3.4 appendix B. */
  receipt(messageId: string, stat: string, err = '000'): Promise<number> {
    return this.deliver(this.receiptParams(messageId, stat, err));
  }

  /** An MO message from a handset. */
  mo(from: string, to: string, text: string | Buffer, dataCoding = 0): Promise<number> {
    return this.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: from, dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: to, esm_class: 0, data_coding: dataCoding, short_message: text });
  }

  /**
   * One part of a long MO message, with a concatenation UDH (8-bit reference, or 16-bit when
   * `reference` is above 255); in UCS-2 when `dataCoding` is 8.
   */
  moPart(from: string, to: string, text: string, part: { reference: number; total: number; seq: number }, dataCoding = 0): Promise<number> {
    const { reference, total, seq } = part;
    const udh = Buffer.from(reference > 0xff ? [6, 0x08, 4, reference >> 8, reference & 0xff, total, seq] : [5, 0x00, 3, reference, total, seq]);
    return this.deliver({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: from, dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: to, esm_class: 0x40, data_coding: dataCoding, short_message: { udh, message: text },
    });
  }

  /** Cuts every client off without a word, as an SMSC that crashed. */
  dropAll(): void {
    for (const s of [...this.sessions]) s.socket.destroy();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private nextId(): string {
    const n = ++this.count;
    return this.ids === 'hex' ? (0xa0000 + n).toString(16).toUpperCase().padStart(8, '0') : String(1_000_000 + n);
  }

  private receiptParams(messageId: string, stat: string, err: string): Record<string, unknown> {
    const textId = this.receiptTextIds === undefined || this.receiptTextIds === this.ids ? messageId
      : this.receiptTextIds === 'decimal' ? BigInt(`0x${messageId}`).toString(10) : BigInt(messageId).toString(16).toUpperCase();
    const text = `id:${textId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2401011200 done date:2401011201 stat:${stat} err:${err} text:`;
    return { esm_class: 0x04, data_coding: 0, short_message: text, ...(this.receiptTlv ? { receipted_message_id: messageId } : {}) };
  }

  private accept(session: Session): void {
    this.sessions.push(session);
    const index = this.sessions.length - 1;
    session.on('error', () => session.destroy());
    for (const command of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
      session.on(command, (pdu: Pdu) => {
        this.binds.push(pdu);
        this.bindTimes.push(Date.now());
        const ok = pdu.system_id === SYSTEM_ID && pdu.password === PASSWORD;
        if (ok) (session as Session & { bound?: string }).bound = command;
        const drop = ok ? this.dropBindsAfterMs : undefined;
        session.send(pdu.response(ok ? { system_id: 'testsmsc' } : { command_status: 0x0e }), undefined, drop === undefined ? undefined : () => setTimeout(() => session.socket.destroy(), drop));
      });
    }
    session.on('enquire_link', (pdu: Pdu) => {
      this.enquireLinks.push(index);
      session.send(pdu.response());
    });
    session.on('unbind', (pdu: Pdu) => {
      this.unbinds.push(index);
      session.send(pdu.response(), () => session.close());
    });
    session.on('submit_sm', (pdu: Pdu) => this.submit(session, index, pdu));
  }

  private submit(session: Session, index: number, pdu: Pdu): void {
    const plan = this.plan.get(String(pdu.destination_addr))?.shift() ?? 0;
    const received: ReceivedSubmit = { pdu, session: index, status: typeof plan === 'number' ? plan : 0, at: Date.now() };
    this.submits.push(received);
    if (plan === 'drop') {
      received.messageId = this.nextId();
      session.socket.destroy();
      return;
    }
    const unanswered = (this.unanswered.get(session) ?? 0) + 1;
    this.unanswered.set(session, unanswered);
    this.maxUnanswered = Math.max(this.maxUnanswered, unanswered);
    const answer = () => {
      this.unanswered.set(session, (this.unanswered.get(session) ?? 1) - 1);
      if (plan === 'nack') return void session.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: 0x03 }));
      if (plan === 'no-id') return void session.send(pdu.response({ message_id: '' }));
      if (plan !== 0) return void session.send(pdu.response({ command_status: plan }));
      const messageId = (received.messageId = this.nextId());
      const receipt = () => (pdu.registered_delivery ? this.receipt(messageId, 'DELIVRD').catch(() => undefined) : undefined);
      if (this.receipts === 'before') void receipt();
      session.send(pdu.response({ message_id: messageId }));
      if (this.receipts === 'after') void receipt();
    };
    if (this.hold) this.held.push(answer);
    else answer();
  }
}
