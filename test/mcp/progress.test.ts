import { describe, expect, it } from 'vitest';
import { notifyingView } from '../../src/mcp/progress.js';

/** The wait tool's progress notifications, from what the runner tells its view. */
describe('notifyingView', () => {
  const recorder = () => {
    const sent: { progress: number; total?: number; message?: string }[] = [];
    return { sent, send: async (progress: number, total?: number, message?: string) => void sent.push({ progress, total, message }) };
  };

  it('grows with every notification and reaches the total only with the last line finished', async () => {
    const { sent, send } = recorder();
    const view = notifyingView(2, send);
    view.state!('a', { status: 'running', percent: 50, settled: false });
    view.state!('b', { status: 'queued', percent: null, settled: false });
    view.event('line b: queued');
    view.state!('a', { status: 'succeeded', percent: 100, settled: false });
    view.state!('a', { status: 'completed', percent: null, settled: true });
    view.state!('b', { status: 'completed', percent: null, settled: true });
    view.stop();
    await view.flush();
    expect(sent.length).toBeGreaterThan(0);
    for (const [i, n] of sent.entries()) {
      expect(n.total).toBe(200);
      if (i > 0) expect(n.progress).toBeGreaterThan(sent[i - 1]!.progress);
    }
    expect(sent.at(-1)).toMatchObject({ progress: 200, message: expect.stringContaining('2 of 2 finished') });
    expect(sent.slice(0, -1).every((n) => n.progress < 200)).toBe(true);
  });

  it('sends nothing at flush without news', async () => {
    const { sent, send } = recorder();
    const view = notifyingView(1, send);
    view.stop();
    await view.flush();
    expect(sent).toEqual([]);
  });
});
