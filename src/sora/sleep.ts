import { setTimeout as delay } from 'node:timers/promises';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Abortable sleep; rejects with the signal's reason when aborted (Node 20's timers reject with a
 * generic AbortError instead, which would turn Ctrl-C's InterruptedError into "The operation was aborted").
 */
export const sleep: Sleep = async (ms, signal) => {
  if (signal?.aborted) throw signal.reason;
  try {
    await delay(Math.max(0, ms), undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
};
