import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { scheduleMessage } from '../../src/core/schedule.js';
import { listWebhooks } from '../../src/core/webhooks.js';
import { WebhookSender, type WebhookSenderOptions } from '../../src/dispatch/webhooks.js';
import { WEBHOOK_RENDERERS } from '../../src/main.js';
import { dialectApp, type TestApp } from '../helpers/app.js';
import { phone } from '../helpers/dispatch.js';

let nextPhone = 0;

/** A message of `n` SMS with a status callback to `url`, sent: one pending delivery per recipient. */
async function sentWithCallback(t: TestApp, accountId: number, url: string, n = 1): Promise<number> {
  const recipients = Array.from({ length: n }, () => phone(nextPhone++));
  const { message } = await scheduleMessage(t.core, accountId, {
    channel: 'sms', recipients, content: { channel: 'sms', text: 'x', sender: null, unicode: false }, callback: { url, format: 'smspartner' },
  });
  await t.dispatcher.drain();
  return message.id;
}

const listen = async <S extends Server | ReturnType<typeof createTcpServer>>(server: S): Promise<S> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const portOf = (server: { address(): unknown }): number => (server.address() as AddressInfo).port;
const close = (server: Server | ReturnType<typeof createTcpServer>) => new Promise((resolve) => server.close(resolve));

/** A receiver that answers 200 to every request and records what it got. */
async function okReceiver(onRequest: (headers: IncomingHttpHeaders) => void = () => {}): Promise<Server> {
  return listen(createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      onRequest(req.headers);
      res.end('ok');
    });
  }));
}

const sender = (t: TestApp, opts: Partial<WebhookSenderOptions>): WebhookSender =>
  new WebhookSender(t.core, WEBHOOK_RENDERERS, { ...t.config.webhooks, pollIntervalMs: t.config.dispatch.pollIntervalMs, ...opts });

dialectApp('Status callbacks: what a receiver can do to the sender', ({ app }) => {
  test('a 200 with a 200 MB body is recorded as delivered, and only a few KB of it are read', async () => {
    const t = app();
    const a = await t.account('100');
    const TOTAL = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const receiver = await listen(createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) });
        res.on('close', closed);
        // Written as fast as the sender takes it: what the receiver got rid of is what the sender read (plus socket buffers).
        const pump = () => {
          while (written < TOTAL) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
    }));
    try {
      const id = await sentWithCallback(t, a.id, `http://127.0.0.1:${portOf(receiver)}/dlr`);
      assert.equal(await t.webhooks.drain(), 1);
      assert.deepEqual((await listWebhooks(t.core, { messageId: id })).map((r) => [r.status, r.attempts, r.lastError]), [['delivered', 1, null]]);
      await done;
      assert.ok(written < TOTAL / 8, `the sender took ${written} bytes of the answer`);
    } finally {
      receiver.closeAllConnections();
      await close(receiver);
    }
  });

  test('with private callbacks off, a loopback destination is refused at send time on its resolved address: failed for good, nothing sent', async () => {
    const t = app();
    const a = await t.account('100');
    const hosts: (string | undefined)[] = [];
    const receiver = await okReceiver((h) => hosts.push(h.host));
    const port = portOf(receiver);
    try {
      // Accepted while private callbacks were allowed (or by a name that resolved elsewhere then).
      const ids = [
        await sentWithCallback(t, a.id, `http://127.0.0.1:${port}/literal`),
        await sentWithCallback(t, a.id, `http://localhost:${port}/system-dns`),
        await sentWithCallback(t, a.id, `http://hooks.example.com:${port}/rebound`),
        await sentWithCallback(t, a.id, `http://mixed.example.com:${port}/one-of-two`),
      ];
      const strict = sender(t, {
        allowPrivate: false,
        // A name that resolves to loopback (DNS rebinding), one with a public and a loopback address, and the system's DNS.
        resolve: async (host) => {
          if (host === 'hooks.example.com') return [{ address: '127.0.0.1', family: 4 }];
          if (host === 'mixed.example.com') return [{ address: '8.8.8.8', family: 4 }, { address: '::1', family: 6 }];
          return lookup(host, { all: true });
        },
      });
      assert.equal(await strict.drain(), 4);
      await strict.stop();
      const rows = await Promise.all(ids.map(async (id) => (await listWebhooks(t.core, { messageId: id })).map((r) => [r.status, r.attempts, r.lastError])));
      assert.match(String(rows[1]?.[0]?.[2]), /^refused: localhost \((127\.0\.0\.1|::1)\) is not a public address$/);
      rows[1]![0]![2] = 'localhost';
      assert.deepEqual(rows, [
        [['failed', 1, 'refused: 127.0.0.1 is not a public address']],
        [['failed', 1, 'localhost']],
        [['failed', 1, 'refused: hooks.example.com (127.0.0.1) is not a public address']],
        [['failed', 1, 'refused: mixed.example.com (::1) is not a public address']],
      ]);
      assert.deepEqual(hosts, [], 'the receiver heard nothing');

      // Allowed: the request goes to the address the name resolved to, under the name's Host header.
      const id = await sentWithCallback(t, a.id, `http://hooks.example.com:${port}/allowed`);
      const open = sender(t, { allowPrivate: true, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
      assert.equal(await open.drain(), 1);
      await open.stop();
      assert.deepEqual((await listWebhooks(t.core, { messageId: id })).map((r) => r.status), ['delivered']);
      assert.deepEqual(hosts, [`hooks.example.com:${port}`]);
    } finally {
      receiver.closeAllConnections();
      await close(receiver);
    }
  });

  test('a dead receiver holding 200 callbacks does not hold up another account\'s: it gets at most destinationConcurrency requests meanwhile', async () => {
    const t = app();
    const [slow, fast] = [await t.account('100'), await t.account('100')];
    // Accepts connections and never answers.
    const sockets = new Set<Socket>();
    let accepted = 0;
    const dead = await listen(createTcpServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.resume();
      socket.on('close', () => sockets.delete(socket));
    }));
    let acceptedWhenFastArrived: number | undefined;
    let arrived!: () => void;
    const fastArrived = new Promise<void>((resolve) => (arrived = resolve));
    const receiver = await okReceiver(() => {
      acceptedWhenFastArrived = accepted;
      arrived();
    });
    try {
      const slowId = await sentWithCallback(t, slow.id, `http://127.0.0.1:${portOf(dead)}/dlr`, 200);
      const fastId = await sentWithCallback(t, fast.id, `http://127.0.0.1:${portOf(receiver)}/dlr`);
      const draining = t.webhooks.drain();
      await fastArrived;
      // No dead request has timed out yet: a timeout would have let a fifth one start.
      assert.ok(acceptedWhenFastArrived! <= t.config.webhooks.destinationConcurrency, `the dead receiver got ${acceptedWhenFastArrived} requests before the other account's callback`);
      // The dead receiver goes away: its requests fail fast and the drain ends.
      dead.close();
      for (const s of sockets) s.destroy();
      await draining;
      assert.deepEqual((await listWebhooks(t.core, { messageId: fastId })).map((r) => r.status), ['delivered']);
      const slowRows = await listWebhooks(t.core, { messageId: slowId });
      assert.equal(slowRows.length, 200);
      // Deliveries handed back untried did not count as attempts: each was tried once, to be retried later.
      assert.deepEqual([...new Set(slowRows.map((r) => `${r.status} ${r.attempts}`))], ['pending 1']);
    } finally {
      for (const s of sockets) s.destroy();
      if (dead.listening) await close(dead);
      receiver.closeAllConnections();
      await close(receiver);
    }
  });
}, { env: { RELAIS_WEBHOOK_TIMEOUT_MS: '10000' } });
