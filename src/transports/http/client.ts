import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The most of an answer read: a provider's answer to one send is a small JSON object. */
export const MAX_ANSWER_BYTES = 64 * 1024;

export interface Answer {
  status: number;
  text: string;
  /** The answer was longer than MAX_ANSWER_BYTES: `text` is its beginning. */
  truncated: boolean;
}

export interface Call {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/**
 * One request per call over keep-alive connections, with node:http: no redirect is followed, the
 * answer is read up to MAX_ANSWER_BYTES, and `signal` (the dispatcher's, and the timeout) ends
 * the request and its answer wherever they are.
 */
export class ProviderClient {
  private readonly agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

  request(url: URL, call: Call): Promise<Answer> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Answer>((resolve, reject) => {
      const req = send(url, {
        method: call.method, agent: this.agents[url.protocol as 'http:' | 'https:'], signal: call.signal,
        headers: { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
      }, (res) => readAnswer(res, call.signal).then(resolve, reject));
      req.on('error', reject);
      req.end(call.body);
    });
  }

  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}

function readAnswer(res: IncomingMessage, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (truncated: boolean) => {
      signal.removeEventListener('abort', abort);
      resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8'), truncated });
    };
    const abort = () => res.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', abort, { once: true });
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      // Enough read: the connection is dropped rather than drained of an answer of any size.
      if (size > MAX_ANSWER_BYTES) {
        res.removeAllListeners('data');
        res.destroy();
        done(true);
      }
    });
    res.on('end', () => done(false));
    res.on('error', (err) => {
      signal.removeEventListener('abort', abort);
      reject(err);
    });
  });
}
