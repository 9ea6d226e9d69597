import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/core/errors.js';
import { sleep } from '../../src/sora/sleep.js';

describe('sleep', () => {
  it("rejects with the signal's reason when aborted while sleeping (Node 20's timers give an AbortError)", async () => {
    const controller = new AbortController();
    const reason = new InterruptedError();
    const sleeping = sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(reason), 5);
    await expect(sleeping).rejects.toBe(reason);
  });

  it("rejects with the signal's reason when already aborted, and resolves otherwise", async () => {
    const controller = new AbortController();
    const reason = new InterruptedError();
    controller.abort(reason);
    await expect(sleep(60_000, controller.signal)).rejects.toBe(reason);
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});
