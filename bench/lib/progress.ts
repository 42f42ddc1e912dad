import { loadavg } from 'node:os';

/**
 * One status line on stderr. On a terminal it is redrawn in place (at most 10 times a second);
 * otherwise (CI, `| tee`) a plain line is printed at most every 5 s, so logs stay readable.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDraw = 0;
  private lastText = '';
  private shown = false;
  private phase = '';
  private phaseStart = performance.now();
  private readonly runStart = performance.now();

  /** Starts a new phase ("[sqlite] 1a core"): always printed. */
  start(phase: string): void {
    this.phase = phase;
    this.phaseStart = performance.now();
    this.lastDraw = 0;
    this.update('');
  }

  /** `done`/`total` counts (rate derived), or a free text. */
  tick(done: number, total: number, unit = ''): void {
    const now = performance.now();
    if (now - this.lastDraw < (this.tty ? 100 : 5000) && done < total) return;
    const secs = (now - this.phaseStart) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    this.update(`${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}${unit ? ' ' + unit : ''}  ${Math.round(rate).toLocaleString('en-US')}/s`);
  }

  update(detail: string): void {
    const now = performance.now();
    if (!this.tty && detail !== '' && now - this.lastDraw < 5000) return;
    this.lastDraw = now;
    const el = this.clock((now - this.runStart) / 1000);
    const text = `${el} load ${loadavg()[0].toFixed(1)} | ${this.phase}${detail ? '  ' + detail : ''}`;
    if (this.tty) {
      const cols = process.stderr.columns || 120;
      process.stderr.write(`\r\x1b[2K${text.slice(0, cols - 1)}`);
      this.shown = true;
    } else if (text !== this.lastText) {
      process.stderr.write(text + '\n');
    }
    this.lastText = text;
  }

  /** A permanent line (results, warnings), printed above the status line. */
  log(line: string): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    process.stderr.write(line + '\n');
    if (this.tty && this.shown) process.stderr.write(this.lastText.slice(0, (process.stderr.columns || 120) - 1));
  }

  done(): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }

  private clock(s: number): string {
    const m = Math.floor(s / 60);
    return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  }
}
