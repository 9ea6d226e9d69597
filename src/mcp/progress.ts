import type { ProgressView } from '../output/progress.js';
import type { ToolCall } from './tool.js';

/**
 * A run's progress as MCP progress notifications: `progress` is the sum of the lines' percents
 * (a finished line counts 100) out of `total` = 100 per line, `message` what happened last. The
 * protocol wants `progress` to grow with every notification, so a notification with news but no
 * new percent (an event, or the keep-alive that stops a client's request timeout) moves it on by
 * a thousandth, never to the total before every line is finished.
 */

const STEP = 0.001;
/** Notifications at most this often; news in between is sent with the next one. */
const THROTTLE_MS = 250;
/** With no news for this long, one notification all the same (clients reset their request timeout on it). */
const KEEPALIVE_MS = 5000;

export interface NotifyingView extends ProgressView {
  /** Sends what is pending now (the last state before the tool answers). */
  flush(): Promise<void>;
}

export function notifyingView(lines: number, send: ToolCall['progress']): NotifyingView {
  const total = 100 * Math.max(1, lines);
  const percent = new Map<string, number>();
  const finished = new Set<string>();
  let message = '';
  let sent = 0;
  let lastAt = 0;
  let pending = false;
  let sending: Promise<void> = Promise.resolve();

  // A line counts 100 only once finished (99 at most before: downloaded, not yet recorded), so the
  // total is reached with the last line and the notification that says so is the last one.
  const computed = () => [...percent].reduce((sum, [key, p]) => sum + (finished.has(key) ? 100 : Math.min(99, p)), 0);
  const ceiling = () => (finished.size >= lines ? total : total - 0.5);
  /** `news`: send even when no percent grew (an event, a keep-alive). */
  const notify = (news: boolean): Promise<void> => {
    let next = Math.min(ceiling(), computed());
    if (next <= sent) {
      if (!news) return sending;
      next = Math.min(ceiling(), sent + STEP);
      if (next <= sent) return sending;
    }
    sent = next;
    lastAt = Date.now();
    pending = false;
    const text = `${finished.size} of ${lines} finished${message ? `; ${message}` : ''}`;
    sending = sending.then(() => send(Math.round(next * 1000) / 1000, total, text));
    return sending;
  };
  const soon = () => {
    pending = true;
    if (Date.now() - lastAt >= THROTTLE_MS) void notify(true);
  };
  const timer = setInterval(() => {
    if (pending || Date.now() - lastAt >= KEEPALIVE_MS) void notify(true);
  }, THROTTLE_MS);
  timer.unref();

  return {
    // A line's live text (its clock ticks every second): shown with the next notification, not news itself.
    update: (_key, text) => {
      message = text.replace(/\s+/g, ' ').trim();
    },
    remove() {},
    totals() {},
    event: (text) => {
      message = text;
      soon();
    },
    state: (key, s) => {
      const before = `${percent.get(key)}:${finished.has(key)}`;
      if (s.settled && s.status !== 'queued' && s.status !== 'running') finished.add(key);
      const p = s.status === 'succeeded' || s.status === 'completed' ? 100 : (s.percent ?? 0);
      percent.set(key, Math.max(percent.get(key) ?? 0, Math.min(100, p)));
      // The poll phase repeats a line's state every second: only a change is news.
      if (`${percent.get(key)}:${finished.has(key)}` !== before) soon();
    },
    stop: () => clearInterval(timer),
    flush: () => notify(pending),
  };
}
