import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the provider received, its body as text and parsed (form or JSON). */
export interface ProviderRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  fields: Record<string, unknown>;
}

/** An answer the test plans: a status and body, `hang` (never answers), or `huge` (an endless 200). */
export type PlannedAnswer = { status: number; body: string } | 'hang' | 'huge';

/**
 * A provider's HTTP API on 127.0.0.1: keeps every request, answers what the test planned for the
 * next sends to a number, and otherwise accepts like Twilio (201 with a `sid`: SM… for messages,
 * CA… for calls) or a plain webhook (200 with an `id`).
 */
export class TestHttpProvider {
  readonly requests: ProviderRequest[] = [];
  private readonly plan = new Map<string, PlannedAnswer[]>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private ids = 0;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const fields = req.headers['content-type']?.startsWith('application/json') ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
        this.requests.push({ method: req.method!, path: req.url!, headers: req.headers, body, fields });
        this.answer(res, req.url!, String(fields.To ?? fields.to ?? ''));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** The next sends to `to` get these answers, one each, then the default again. */
  answerNext(to: string, answers: PlannedAnswer[]): void {
    this.plan.set(to, [...answers]);
  }

  private answer(res: ServerResponse, path: string, to: string): void {
    const planned = this.plan.get(to)?.shift();
    if (planned === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (planned === 'huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, ' ');
      const pump = () => { while (!res.destroyed && res.write(chunk)); if (!res.destroyed) res.once('drain', pump); };
      pump();
      return;
    }
    const n = ++this.ids;
    const twilio = path.endsWith('.json');
    const fallback = twilio
      ? { status: 201, body: JSON.stringify({ sid: `${path.endsWith('/Calls.json') ? 'CA' : 'SM'}${String(n).padStart(32, '0')}`, status: 'queued' }) }
      : { status: 200, body: JSON.stringify({ id: `wh-${n}` }) };
    const { status, body } = planned ?? fallback;
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
