import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { voicePartner } from '../../../../src/api/dialects/voicepartner/dialect.js';
import { startTestApp, type HttpResult, type TestApp } from '../../../helpers/app.js';
import { dialectBlocks, type Dialect } from '../../../helpers/store.js';

export { assertLedger, xmlOf, ZONE } from '../partner/http.js';

/**
 * Voice Partner is not in the dialect registry yet (its sends and cancel come next): its tests
 * mount it on a server of their own, beside the test app (accounts, admin API, store, clock).
 */
export interface VoiceApp {
  t: TestApp;
  /** One request to the Voice Partner server, path under `/voicepartner/v1`. */
  request(method: string, path: string, opts?: { body?: unknown; form?: FormData; raw?: string | Buffer; headers?: Record<string, string> }): Promise<HttpResult>;
  account(credits?: string): Promise<{ id: number; apiKey: string }>;
}

export const VP = '/voicepartner/v1';

async function open(dialect: Dialect): Promise<VoiceApp & { close(): Promise<void> }> {
  const t = await startTestApp({ dialect });
  const server: FastifyInstance = Fastify();
  server.decorateRequest('auth', null);
  await voicePartner.mount(server, { core: t.core, timezone: 'Europe/Paris', cancelCutoffMs: 300_000 }, {});
  await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}${VP}`;
  return {
    t,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      let body: string | Buffer | FormData | undefined = o.form ?? o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
    account: (credits = '10') => t.account(credits, `vp-${Math.random().toString(36).slice(2, 8)}`),
    async close() {
      await server.close();
      await t.close();
    },
  };
}

/** `describe` once per database with one Voice Partner server per block (tests use their own accounts). */
export function voiceApp(name: string, fn: (app: () => VoiceApp) => void): void {
  dialectBlocks(name, open, (v) => v.close(), (_dialect, get) => fn(get), 'server');
}

/** A Voice Partner error: HTTP status and the exact body. */
export function errorBody(code: number | string, message: string): string {
  return JSON.stringify({ success: false, code, message });
}
