import { until } from '../support/until.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimedRow } from '../../src/db/tables/generation-state.js';
import type { Db } from '../../src/db/connection/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { Runner } from '../../src/generate/runner.js';
import { pollRow } from '../../src/generate/phases/poll.js';
import type { ProgressView } from '../../src/output/progress.js';
import { createSoraClient } from '../../src/sora/client.js';

/**
 * Issue 14, defect 11: the poll phase's once-a-second ticker redraws the job's line from the last
 * status seen (it read `lastSeen` before its declaration). Polls here are 2.5 s apart, so the line
 * drawn at 1 s comes from the ticker alone and must show the job's last seen state and progress,
 * not the bare recorded status it started from.
 */

let emulator: Emulator;
beforeAll(async () => {
  // A job far longer than the test waits: a busy machine must never see it end before the 1s redraw.
  emulator = await startEmulator({ jobMs: 60_000, early404Ms: 0, apiKey: 'k' });
});
afterAll(async () => {
  await emulator?.close();
});

describe('the poll phase', () => {
  it('redraws a job from the last status it saw, every second between polls', async () => {
    const client = createSoraClient({ endpoint: emulator.url, apiKey: 'k', deployment: 'sora-2', soraVersion: 'sora-2' });
    const job = await client.create({ prompt: 'ticker', size: '720x1280', seconds: 4 });
    await new Promise((r) => setTimeout(r, 300));
    const lines: string[] = [];
    const view = {
      update: (_id: string, text: string) => lines.push(text),
      event: () => {},
      remove: () => {},
      totals: () => {},
      stop: () => {},
    } as unknown as ProgressView;
    const unreachable = { query: () => Promise.reject(new Error('no database in this test')) } as unknown as Db;
    const controller = new AbortController();
    const ctx = {
      db: unreachable,
      session: { sessionId: 's', tokenHash: 't' },
      now: () => Date.now(),
      signal: controller.signal,
      view,
      label: () => 'job',
      wait: true,
      schedule: { initialDelayMs: 0, baseDelayMs: 2_500, factor: 1, maxDelayMs: 2_500, jitter: 0, minDelayMs: 2_500 },
      onDebug: () => {},
    } as unknown as Runner;
    const row = { id: 'row-1', prompt: 'ticker', submitted_at: new Date() } as unknown as ClaimedRow;
    let settled = false;
    const polling = pollRow(ctx, row, job.id, 'queued', client).finally(() => {
      settled = true;
    });
    // Until the first redraw (or the end of the poll), not a fixed 1.3 s a busy machine can miss.
    // Any redraw a second or more in: a timer fired late under load can skip the "1s" label (0s, then 2s).
    await until(() => settled || lines.some((l) => / {2}[1-9]\d*s {2}/.test(l)), 30_000, 'the 1s redraw');
    controller.abort();
    await polling.catch(() => undefined);
    const ticked = lines.find((l) => / {2}[1-9]\d*s {2}/.test(l));
    expect(ticked, lines.join('\n')).toBeDefined();
    // The status and progress of the job as last polled (the recorded fallback has no percentage).
    expect(ticked).toMatch(/^job {2}(queued|in_progress) \d+% {2}[1-9]\d*s {2}ticker$/);
  });
});
