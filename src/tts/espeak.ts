import { spawn } from 'node:child_process';
import { RelaisError } from '../core/errors.js';
import { MAX_SPEECH_MS, speechTooLong, SynthesisFailed, WORDS_PER_MINUTE, type Speech, type SpeechPart, type Synthesized, type Synthesizer } from '../core/speech.js';

/** espeak-ng writes 22 050 Hz, 16-bit, mono PCM. */
const SAMPLE_RATE = 22_050;
const BYTES_PER_SECOND = SAMPLE_RATE * 2;
/** The audio of the longest call allowed: more is a speech too long, stopped before it is all written. */
const MAX_WAV_BYTES = Math.ceil((MAX_SPEECH_MS / 1000) * BYTES_PER_SECOND) + 44;
/** espeak-ng's canonical header: RIFF size at 4, the `data` chunk's id at 36 and its size at 40. */
const DATA_HEADER_END = 44;

export interface EspeakOptions {
  /** The executable, found on PATH by default. */
  command?: string;
  /** Told each failure on a text (a crash, a timeout), which the call survives with no audio: the server logs it. */
  onFailure?: (err: SynthesisFailed) => void;
  timeoutMs?: number;
  maxBytes?: number;
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** The words as SSML: escaped, so that markup in a text is spoken, and each pause between them a break. */
export function ssml(parts: readonly SpeechPart[]): string {
  const body = parts.map((p) => ('words' in p ? p.words.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!) : `<break time="${p.pauseMs}ms"/>`));
  return `<speak>${body.join(' ')}</speak>`;
}

/** espeak-ng drops a break before the first word or after the last: those pauses are added as silent samples. */
function edges(parts: readonly SpeechPart[]): { leadMs: number; inner: readonly SpeechPart[]; trailMs: number } {
  const pauseMs = (p: SpeechPart | undefined) => (p && 'pauseMs' in p ? p.pauseMs : 0);
  const leadMs = pauseMs(parts[0]);
  const trailMs = parts.length > 1 ? pauseMs(parts.at(-1)) : 0;
  return { leadMs, inner: parts.slice(leadMs ? 1 : 0, trailMs ? -1 : undefined), trailMs };
}

const silence = (ms: number): Buffer => Buffer.alloc(Math.round((ms / 1000) * SAMPLE_RATE) * 2);

/**
 * Writing to a pipe, espeak-ng cannot seek back to fill in its header and leaves both sizes at
 * about 2 GB; they are set from the bytes received, so that players and parsers read the real length.
 */
function withRealSizes(wav: Buffer): Buffer {
  if (wav.length < DATA_HEADER_END || wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 12) !== 'WAVE' || wav.toString('latin1', 36, 40) !== 'data') {
    throw new RelaisError('unavailable', 'espeak-ng wrote no WAV');
  }
  wav.writeUInt32LE(wav.length - 8, 4);
  wav.writeUInt32LE(wav.length - DATA_HEADER_END, 40);
  return wav;
}

/**
 * Runs the command without a shell, `input` on stdin; its stdout. A command that cannot start is
 * `unavailable`; one that crashes, fails or runs past the timeout on this input is SynthesisFailed;
 * output past `maxBytes` is a speech too long (`message_too_long`).
 */
function run(command: string, args: string[], input: string, opts: { timeoutMs: number; maxBytes: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: Error | undefined;
    const stop = (why: Error) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    // Not spawn's own `timeout`: its timer outlives a command that could not start, holding the process up.
    const timer = setTimeout(() => stop(new SynthesisFailed(`${command} was stopped after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // More audio than the longest call allowed: the speech is too long, as core would say of its estimate.
      if (size > opts.maxBytes) stop(speechTooLong());
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 1000) stderr += chunk.toString('utf8'); });
    // A process that dies before reading its input must not crash the server with EPIPE.
    child.stdin.on('error', () => {});
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new RelaisError('unavailable', `${command} could not start: ${err.message}`, {}, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else if (code !== 0) reject(new SynthesisFailed(`${command} failed (${code ?? signal}): ${stderr.trim()}`));
      else resolve(Buffer.concat(chunks));
    });
    child.stdin.end(input, 'utf8');
  });
}

/** Speech synthesis by espeak-ng, run once per text. */
export class Espeak implements Synthesizer {
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly onFailure: (err: SynthesisFailed) => void;
  private runs: Promise<boolean> | undefined;

  constructor(opts: EspeakOptions = {}) {
    this.command = opts.command ?? 'espeak-ng';
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.maxBytes = opts.maxBytes ?? MAX_WAV_BYTES;
    this.onFailure = opts.onFailure ?? (() => {});
  }

  /** Whether espeak-ng runs here; asked once. */
  available(): Promise<boolean> {
    this.runs ??= run(this.command, ['--version'], '', { timeoutMs: 5_000, maxBytes: 10_000 }).then(() => true, () => false);
    return this.runs;
  }

  async synthesize(speech: Speech): Promise<Synthesized> {
    const { lang, rate } = speech.voice;
    const args = ['-m', '--stdin', '--stdout', '-v', lang, '-s', String(Math.round(WORDS_PER_MINUTE * rate))];
    const { leadMs, inner, trailMs } = edges(speech.parts);
    const spoken = await run(this.command, args, ssml(inner), { timeoutMs: this.timeoutMs, maxBytes: this.maxBytes }).catch((err: unknown) => {
      if (err instanceof SynthesisFailed) this.onFailure(err);
      throw err;
    });
    const wav = withRealSizes(Buffer.concat([spoken.subarray(0, DATA_HEADER_END), silence(leadMs), spoken.subarray(DATA_HEADER_END), silence(trailMs)]));
    const { parseBuffer } = await import('music-metadata');
    const { format } = await parseBuffer(wav, { mimeType: 'audio/wav' });
    if (format.duration === undefined) throw new RelaisError('unavailable', 'the WAV from espeak-ng has no duration');
    return { wav, durationMs: Math.round(format.duration * 1000) };
  }
}
