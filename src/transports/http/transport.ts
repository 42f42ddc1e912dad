import type { AudioRef } from '../../core/provider-callbacks.js';
import type { TransportObserver } from '../../core/transport-module.js';
import type { OutgoingMessage, SendResult, Transport, TransportMessage, TransportRecipient } from '../../core/transport.js';
import { InFlight } from '../in-flight.js';
import { ProviderClient } from './client.js';
import { mapAnswer } from './response.js';
import type { HttpChannel, HttpSettings } from './settings.js';
import { fieldValues, renderBody } from './template.js';

/**
 * Sends each recipient as one request to the provider's HTTP API, as the settings (a preset and
 * its overrides) say. The provider URL is the operator's configuration, not a client's input:
 * the address rule of status callbacks (core/callback-url.ts) does not apply to it.
 */
export class HttpTransport implements Transport {
  readonly name = 'http';
  readonly rate: number | undefined;
  readonly concurrency: number | undefined;
  readonly defaultSender: string | undefined;
  private readonly inFlight = new InFlight();
  private readonly client = new ProviderClient();

  constructor(private readonly settings: HttpSettings, private readonly ctx: { statusCallbackUrl: string | null; audioUrl?: (ref: AudioRef) => string; observer?: TransportObserver }) {
    this.rate = settings.rate;
    this.concurrency = settings.concurrency;
    this.defaultSender = settings.from ?? undefined;
  }

  send(message: TransportMessage, recipients: TransportRecipient[], opts: { signal: AbortSignal }): Promise<SendResult[]> {
    return this.inFlight.run(this.name, async () => {
      const results: SendResult[] = [];
      for (const r of recipients) results.push(await this.sendOne({ ...message, ...r }, opts.signal));
      return results;
    });
  }

  /**
   * Its provider reports delivery to the status-callback URL, which the API serves and records
   * through core (core/provider-callbacks.ts), on whichever node receives it: nothing comes
   * through here. Having the method is what makes the dispatcher remember the provider ids
   * those callbacks name.
   */
  receipts(): void {}

  private async sendOne(msg: OutgoingMessage, signal: AbortSignal): Promise<SendResult> {
    const channel = msg.content.channel;
    if (channel === 'email') return { ok: false, retryable: false, reason: 'the http transport sends SMS and calls, not e-mail' };
    const audioToken = msg.content.channel === 'voice' ? msg.content.audioToken : undefined;
    const storedAudioUrl = audioToken && this.ctx.audioUrl ? this.ctx.audioUrl({ accountId: msg.accountId, audioToken }) : null;
    const values = fieldValues(msg, { from: this.settings.from, statusCallbackUrl: this.ctx.statusCallbackUrl, storedAudioUrl });
    if (channel === 'voice' && values.twiml === null) {
      return { ok: false, retryable: false, reason: 'the http transport calls with a text to speak, an audio URL or an audio file it can serve; this call has none' };
    }
    const { contentType, body } = renderBody(this.settings.bodies[channel as HttpChannel], values);
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const answer = await this.client.request(this.settings.urls[channel as HttpChannel], {
        method: this.settings.method, body, signal: AbortSignal.any([signal, timeout]),
        headers: {
          'content-type': contentType, accept: 'application/json', 'user-agent': 'relais',
          ...(this.settings.auth ? { [this.settings.auth.name]: this.settings.auth.value } : {}),
        },
      });
      if (answer.status === 429) this.ctx.observer?.throttled(this.name);
      return mapAnswer(this.settings.answer, answer.status, answer.text, answer.truncated);
    } catch (err) {
      // Whether the provider took it is unknown: tried again (at least once, never silently lost).
      if (timeout.aborted) return { ok: false, retryable: true, reason: `the provider did not answer within ${this.settings.timeoutMs} ms`, providerCode: 'ETIMEDOUT' };
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, retryable: true, reason: `the provider could not be reached: ${(err as Error).message}`.slice(0, 500), ...(code ? { providerCode: code } : {}) };
    }
  }

  async close(): Promise<void> {
    await this.inFlight.close();
    this.client.close();
  }
}
