import { toDbError } from './errors.js';

/**
 * Counts and times a driver's round trips (the bench and tests read the count; --debug prints
 * the times) and turns driver errors into typed ones.
 */
export function roundTripMeter(label: string, onRoundTrip?: (what: string, ms: number) => void) {
  let count = 0;
  return {
    get count() {
      return count;
    },
    async timed<T>(what: string, work: () => Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await work();
      } catch (error) {
        throw toDbError(error, label);
      } finally {
        count += 1;
        onRoundTrip?.(what, performance.now() - started);
      }
    },
  };
}

/** The statement's opening words, for --debug lines: never its parameters. */
export function firstWords(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 60);
}
