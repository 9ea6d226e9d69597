import type { GlobalOptions, Io } from '../core/io.js';
import { escapeControl } from './escape.js';

/**
 * Progress on stderr while jobs run. On a terminal: an ora spinner for one job, or a live block
 * with one line per running job plus a totals line for a batch. Piped: plain event lines (one per
 * status change). Silent with --quiet or --json. Never writes to stdout.
 */

export interface ProgressView {
  /** The live line of one job (terminal only; ignored when piped). */
  update(key: string, text: string): void;
  /** A job's live line goes away (it finished). */
  remove(key: string): void;
  /** The live totals line of a batch (terminal only). */
  totals(text: string): void;
  /** A lasting line: printed above the live block on a terminal, as is when piped. */
  event(text: string): void;
  /**
   * A line's state as data, for a view that is not text (MCP progress notifications): the status
   * and percent the service reports while it runs; `settled` once the run is done with the line.
   */
  state?(key: string, state: { status: string; percent: number | null; settled: boolean }): void;
  stop(): void;
}

const SILENT: ProgressView = { update() {}, remove() {}, totals() {}, event() {}, stop() {} };

export async function createProgress(io: Io, globals: Pick<GlobalOptions, 'quiet' | 'json'>, o: { single: boolean }): Promise<ProgressView> {
  if (globals.quiet || globals.json) return SILENT;
  const err = io.stderr;
  if (!err.isTTY) {
    return { ...SILENT, event: (text) => err.write(`${escapeControl(text, { keepLines: true })}\n`) };
  }
  // ora drives a real tty.WriteStream (cursorTo, clearLine) of known width (a 0-column pty sends
  // it into an endless clear loop); anything else gets the plain ANSI block.
  if (o.single && typeof (err as { cursorTo?: unknown }).cursorTo === 'function' && (err.columns ?? 0) > 0) {
    const { default: ora } = await import('ora');
    const spinner = ora({ stream: err as NodeJS.WritableStream, isEnabled: true, discardStdin: false }).start('starting…');
    return {
      update: (_key, text) => {
        spinner.text = escapeControl(text);
      },
      remove() {},
      totals() {},
      event: (text) => {
        spinner.clear();
        err.write(`${escapeControl(text, { keepLines: true })}\n`);
        spinner.render();
      },
      stop: () => spinner.stop(),
    };
  }
  return new LiveBlock(err, !o.single);
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

class LiveBlock implements ProgressView {
  private readonly lines = new Map<string, string>();
  private totalsLine = '';
  private drawn = 0;
  private frame = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly err: Io['stderr'],
    private readonly showTotals: boolean,
  ) {
    this.timer = setInterval(() => this.draw(), 120);
    this.timer.unref();
  }

  update(key: string, text: string) {
    this.lines.set(key, escapeControl(text));
  }
  remove(key: string) {
    this.lines.delete(key);
  }
  totals(text: string) {
    if (this.showTotals) this.totalsLine = escapeControl(text);
  }
  event(text: string) {
    this.clear();
    this.err.write(`${escapeControl(text, { keepLines: true })}\n`);
    this.draw();
  }
  stop() {
    clearInterval(this.timer);
    this.clear();
  }

  private clear() {
    if (this.drawn > 0) this.err.write(`\u001b[${this.drawn}F\u001b[0J`);
    this.drawn = 0;
  }

  private draw() {
    this.clear();
    const width = Math.max(20, (this.err.columns || 100) - 1);
    this.frame = (this.frame + 1) % FRAMES.length;
    const spin = FRAMES[this.frame];
    const out = [...this.lines.values()].map((l) => `${spin} ${l}`);
    if (this.totalsLine) out.push(this.totalsLine);
    if (out.length === 0) return;
    this.err.write(`${out.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n')}\n`);
    this.drawn = out.length;
  }
}

/** `1.5 MB`, `400 MB`, `812 kB`: byte counts for people (SI units, as download tools print them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** `12 MB of 400 MB (3%) · 8.1 MB/s`: a download's progress, from its bytes and how long it took. */
export function transferText(bytes: number, total: number | null, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? `${formatBytes(Math.round((bytes * 1000) / elapsedMs))}/s` : '';
  const amount = total ? `${formatBytes(bytes)} of ${formatBytes(total)} (${Math.floor((bytes * 100) / total)}%)` : formatBytes(bytes);
  return rate ? `${amount} · ${rate}` : amount;
}
