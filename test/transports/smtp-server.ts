import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** One mail the server accepted: its envelope, its bytes as they arrived, and mailparser's reading of them. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  mail: ParsedMail;
  queueId: string;
  /** Whether the session was encrypted (TLS from the start, or after STARTTLS). */
  secure: boolean;
}

/** How the server speaks: in clear without STARTTLS, in clear offering STARTTLS, or TLS from the first byte (smtps). */
export type ServerTls = 'none' | 'starttls' | 'implicit';

/**
 * What the server does with the next mail to an address: refuse it at RCPT TO with a reply
 * (`451 …`, `550 …`), or drop the connection in the middle of its DATA, before answering.
 */
export type Refusal = { code: number; message: string } | 'drop';

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 and an ephemeral port, by default in clear without
 * STARTTLS (TLS with smtp-server's own self-signed certificate otherwise), any or no authentication. It keeps the mails it answered 250 to, in order, and refuses the
 * next mails to an address as planned.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Every RCPT TO it was given, accepted or not, in order. */
  readonly attempts: string[] = [];
  /** The credentials clients logged in with. */
  readonly logins: { username: string; password: string }[] = [];
  /** Answer every login 535, as a server given a wrong password. */
  refuseLogins = false;
  private readonly plan = new Map<string, Refusal[]>();
  private readonly server: SMTPServer;
  private count = 0;
  port = 0;

  constructor(private readonly tls: ServerTls = 'none') {
    this.server = new SMTPServer({
      disabledCommands: tls === 'none' ? ['STARTTLS'] : [], secure: tls === 'implicit', authOptional: true, allowInsecureAuth: true, logger: false, size: 30 * 1024 * 1024,
      onAuth: (auth, _session, callback) => {
        this.logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
        if (this.refuseLogins) return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
        callback(null, { user: auth.username });
      },
      onRcptTo: (address, _session, callback) => {
        this.attempts.push(address.address);
        const next = this.peek(address.address);
        if (next && next !== 'drop') {
          this.plan.get(address.address)!.shift();
          return callback(Object.assign(new Error(next.message), { responseCode: next.code }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          if (to.some((a) => this.peek(a) === 'drop')) {
            for (const a of to) if (this.peek(a) === 'drop') this.plan.get(a)!.shift();
            this.drop(session);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const queueId = `Q${String(++this.count).padStart(6, '0')}`;
          simpleParser(raw).then((mail) => {
            this.received.push({ from: (session.envelope.mailFrom || { address: '' }).address, to, raw, mail, queueId, secure: session.secure });
            callback(null, `2.0.0 Ok: queued as ${queueId}`);
          }, callback);
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `${this.tls === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${this.port}`;
  }

  /** Refuses the next mails to `address`, one refusal per mail, then accepts again. */
  refuse(address: string, ...refusals: Refusal[]): void {
    this.plan.set(address, [...(this.plan.get(address) ?? []), ...refusals]);
  }

  /** The addresses of the mails accepted, in order of arrival. */
  addresses(): string[] {
    return this.received.flatMap((r) => r.to);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private peek(address: string): Refusal | undefined {
    return this.plan.get(address)?.[0];
  }

  /** Cuts the client off without an answer, as a server that crashed or a network that failed. */
  private drop(session: SMTPServerSession): void {
    for (const c of this.server.connections) if (c.session.id === session.id) c._socket.destroy();
  }
}
