/**
 * Hostile and slow clients against a real listening server, over raw sockets: a socket that
 * sends nothing, a body that never completes and connections beyond the cap are closed; a wrong
 * key in the query or a header is refused before any body arrives; a client that hangs up
 * mid-body leaves no error line in the log.
 *
 * No timing thresholds: each test waits for the socket to close, bounded well above the
 * configured timeouts (1 s, the smallest the configuration accepts).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** Far above every timeout configured here: a socket still open by then is never closed. */
const BOUND_MS = 15_000;

const SHORT = {
  RELAIS_HTTP_IDLE_TIMEOUT_MS: '1000', RELAIS_HTTP_HEADERS_TIMEOUT_MS: '1000',
  RELAIS_HTTP_REQUEST_TIMEOUT_MS: '1000', RELAIS_HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
};

interface Raw {
  socket: Socket;
  /** Everything the server sent, once it closed the connection; rejects if it is still open after BOUND_MS. */
  closed: Promise<string>;
  /** The text received so far. */
  received(): string;
}

async function open(url: string): Promise<Raw> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (text += d));
  const closed = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${BOUND_MS} ms; received: ${JSON.stringify(text)}`));
    }, BOUND_MS);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    // A reset is a close too; the text received before it is what counts.
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, closed, received: () => text };
}

/** Waits until `predicate` holds on what the socket received, bounded by BOUND_MS. */
async function until(raw: Raw, predicate: (text: string) => boolean): Promise<string> {
  for (const end = Date.now() + BOUND_MS; Date.now() < end;) {
    if (predicate(raw.received())) return raw.received();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing matching within ${BOUND_MS} ms; received: ${JSON.stringify(raw.received())}`);
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

/** Sends `bytes` and nothing more: the server must close the connection, with a 408 at most. */
async function closedAfter(url: string, bytes: string): Promise<void> {
  const raw = await open(url);
  raw.socket.write(bytes);
  const text = await raw.closed;
  assert.ok(text === '' || statusOf(text) === 408, text);
}

describe('slow clients are timed out', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: SHORT }); });
  after(async () => { await t.close(); });

  test('a socket that sends nothing is closed', async () => {
    await closedAfter(t.url, '');
  });

  test('a socket that sends half its headers is closed', async () => {
    await closedAfter(t.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
  });

  test('a native request whose body never completes is closed (408 or closed)', async () => {
    const { apiKey } = await t.account('10', 'partial-body');
    await closedAfter(t.url, `POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"chan`);
  });

  test('SMS Partner: Content-Length 1000 and one byte, no key, is closed', async () => {
    await closedAfter(t.url, 'POST /smspartner/v1/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
  });

  test('SMS Partner: a GET with a body that never completes is closed', async () => {
    await closedAfter(t.url, 'GET /smspartner/v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{');
  });

  test('an idle keep-alive connection is closed after its answer', async () => {
    const raw = await open(t.url);
    raw.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await raw.closed;
    assert.equal(statusOf(text), 200);
  });
});

describe('the idle timeout alone closes a silent socket', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ env: { RELAIS_HTTP_IDLE_TIMEOUT_MS: '1000', RELAIS_HTTP_HEADERS_TIMEOUT_MS: '600000', RELAIS_HTTP_REQUEST_TIMEOUT_MS: '600000' } });
  });
  after(async () => { await t.close(); });

  test('a socket that sends a few bytes then nothing is closed', async () => {
    await closedAfter(t.url, 'GET /he');
  });
});

describe('connections beyond RELAIS_HTTP_MAX_CONNECTIONS', () => {
  const CAP = 3;
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { RELAIS_HTTP_MAX_CONNECTIONS: String(CAP) } }); });
  after(async () => { await t.close(); });

  test('are closed on arrival, while the open ones are still served', async () => {
    const held = await Promise.all(Array.from({ length: CAP }, () => open(t.url)));
    try {
      const extra = await open(t.url);
      extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(await extra.closed, '');
      for (const raw of held) {
        raw.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        const text = await until(raw, (s) => s.includes('{"status":"ok"}'));
        assert.equal(statusOf(text), 200);
      }
    } finally {
      for (const raw of held) raw.socket.destroy();
    }
  });
});

describe('a wrong key is refused before the body is read', () => {
  let t: TestApp;
  // Long timeouts: the answer must come from the key check, not from a timeout.
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  /** Sends `head` announcing a 1 MB body, sends none of it, and returns the answer that comes anyway. */
  async function answerWithoutBody(head: string): Promise<string> {
    const raw = await open(t.url);
    try {
      raw.socket.write(`${head}Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n`);
      return await until(raw, (s) => s.includes('\r\n\r\n') && s.trimEnd().endsWith('}'));
    } finally {
      raw.socket.destroy();
    }
  }

  test('SMS Partner: an unknown apiKey in the query with a 1 MB Content-Length and no body → the vendor answer at once', async () => {
    const text = await answerWithoutBody('POST /smspartner/v1/send?apiKey=nope HTTP/1.1\r\nHost: x\r\n');
    assert.equal(statusOf(text), 401);
    assert.match(text, /"success":false/);
    assert.match(text, /"code":10/);
  });

  test('SMS Partner: a known apiKey in the query still reads the body (and its own key check applies)', async () => {
    const { apiKey } = await t.account('10', 'query-key');
    const res = await t.request('GET', `/smspartner/v1/me?apiKey=${apiKey}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.success, true);
    // A key in the body wins over the query's: the query's check does not stand in for it.
    const wrong = await t.request('POST', `/smspartner/v1/me?apiKey=${apiKey}`, { body: { apiKey: 'other' } });
    assert.equal(wrong.status, 401);
  });

  test('native API: an unknown Bearer key with a 1 MB Content-Length and no body → 401 problem+json at once', async () => {
    const text = await answerWithoutBody('POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n');
    assert.equal(statusOf(text), 401);
    assert.match(text, /application\/problem\+json/);
    assert.match(text, /"code":"unauthorized"/);
  });
});

describe('a client that hangs up mid-body', () => {
  let t: TestApp;
  const lines: { level: number; msg: string }[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    t = await startTestApp({ logger: pino({ level: 'debug' }, sink) });
  });
  after(async () => { await t.close(); });

  /** Sends headers and part of the body, hangs up, then waits for the server to have seen it. */
  async function abort(head: string): Promise<void> {
    const raw = await open(t.url);
    raw.socket.write(`${head}Content-Length: 5000\r\n\r\n{"a":`);
    // Let the server start reading the body before the hang-up.
    await new Promise((r) => setTimeout(r, 100));
    raw.socket.destroy();
    await raw.closed;
    // A request after it on a fresh connection: the server has handled the abort by then.
    assert.equal((await t.request('GET', '/healthz')).status, 200);
    await new Promise((r) => setTimeout(r, 100));
  }

  test('is a debug line at most, never an error line (native, SMS Partner POST and GET)', async () => {
    const { apiKey } = await t.account('10', 'aborter');
    await abort(`POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\n`);
    await abort('POST /smspartner/v1/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n');
    await abort('GET /smspartner/v1/me HTTP/1.1\r\nHost: x\r\n');
    const errors = lines.filter((l) => l.level >= 50);
    assert.deepEqual(errors, [], JSON.stringify(errors));
    assert.ok(lines.some((l) => l.level === 20 && /closed the connection/.test(l.msg)), 'the hang-up is logged at debug level');
  });
});
