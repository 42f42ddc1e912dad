import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { voicePartner } from '../../../../src/api/dialects/voicepartner/dialect.js';
import type { Synthesizer } from '../../../../src/core/speech.js';
import { httpRequest, startTestApp, type HttpResult, type TestApp } from '../../../helpers/app.js';
import { dialectBlocks, type Dialect } from '../../../helpers/store.js';

export { assertLedger, xmlOf, ZONE } from '../partner/http.js';

/**
 * Voice Partner's tests mount it on a server of their own, beside the test app (accounts, admin
 * API, store, clock), which they can give a synthesizer (`t.core.synthesizer`).
 */
export interface VoiceApp {
  t: TestApp;
  /** One request to the Voice Partner server, path under `/voicepartner/v1`. */
  request(method: string, path: string, opts?: { body?: unknown; form?: FormData; raw?: string | Buffer; headers?: Record<string, string> }): Promise<HttpResult>;
  account(credits?: string): Promise<{ id: number; apiKey: string }>;
}

export const VP = '/voicepartner/v1';

async function open(dialect: Dialect, env?: Record<string, string>): Promise<VoiceApp & { close(): Promise<void> }> {
  const t = await startTestApp({ dialect, env });
  const server: FastifyInstance = Fastify();
  server.decorateRequest('auth', null);
  await voicePartner.mount(server, { core: t.core, timezone: 'Europe/Paris', cancelCutoffMs: 300_000 }, {});
  await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}${VP}`;
  return {
    t,
    request: (method, path, o = {}) => httpRequest(base + path, method, o),
    account: (credits = '10') => t.account(credits, `vp-${Math.random().toString(36).slice(2, 8)}`),
    async close() {
      await server.close();
      await t.close();
    },
  };
}

/** `describe` once per database with one Voice Partner server per block (tests use their own accounts). */
export function voiceApp(name: string, fn: (app: () => VoiceApp) => void, opts: { env?: Record<string, string> } = {}): void {
  dialectBlocks(name, (dialect) => open(dialect, opts.env), (v) => v.close(), (_dialect, get) => fn(get), 'server');
}

/** A Voice Partner error: HTTP status and the exact body. */
export function errorBody(code: number | string, message: string): string {
  return JSON.stringify({ success: false, code, message });
}

/**
 * A real WAV file (test data, written with Buffer): RIFF header, a 16-bit PCM `fmt ` chunk and
 * `seconds` of a tone at `rate` samples a second, mono.
 */
export function wavFile(seconds: number, rate = 8000): Buffer {
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin(i / 10)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/**
 * A real MP3 file: `frames` silent MPEG-1 Layer III frames (128 kb/s, 44.1 kHz, 417 bytes each,
 * side information and main data all zero), 1152 samples a frame.
 */
export function mp3File(frames: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.writeUInt32BE(0xfffb9000, 0);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** A multipart upload: text fields, then files as `[field, bytes, filename, type]`. */
export function uploadForm(fields: Record<string, string>, files: [string, Buffer, string, string][] = []): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [field, bytes, filename, type] of files) form.append(field, new Blob([bytes], { type }), filename);
  return form;
}

/** Uploads a WAV of `seconds` to the account and returns its token. */
export async function uploaded(v: VoiceApp, apiKey: string, seconds = 7.25): Promise<string> {
  const r = await v.request('POST', '/audio-file/upload', { form: uploadForm({ apiKey }, [['file', wavFile(seconds), 'annonce.wav', 'audio/wav']]) });
  assert.equal(r.status, 200, r.text);
  return r.body.tokenAudio;
}

/** Runs `fn` with `synthesizer` on the app's core, taken off again however `fn` ends. */
export async function withSynthesizer(v: VoiceApp, synthesizer: Synthesizer, fn: () => Promise<void>): Promise<void> {
  v.t.core.synthesizer = synthesizer;
  try {
    await fn();
  } finally {
    v.t.core.synthesizer = null;
  }
}
