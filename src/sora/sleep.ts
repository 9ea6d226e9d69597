import { setTimeout as delay } from 'node:timers/promises';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Abortable sleep; rejects with the signal's reason when aborted. */
export const sleep: Sleep = async (ms, signal) => {
  await delay(Math.max(0, ms), undefined, { signal });
};
