import { NotFoundError, UsageError } from '../../core/errors.js';

/**
 * Ids people type: a whole id, or a unique prefix of at least 4 characters (git, docker). The
 * queries match `id::text LIKE prefix || '%'` within the user's own rows; this decides.
 */

export const MIN_PREFIX = 4;

/** How far a list's "showing 20 of N" counts (the count must stay cheap on a large table). */
export const COUNT_CAP = 10_000;

/** The LIKE pattern for a prefix (lower case, LIKE's wildcards escaped), or null when too short to be one. */
export function idPrefix(given: string): string | null {
  const text = given.trim().toLowerCase();
  if (text.length < MIN_PREFIX || !/^[0-9a-f-]+$/.test(text)) return null;
  return text;
}

/**
 * The one row `given` names: an exact match on any of `exact` first, else the only row whose id
 * starts with it. Several: a usage error (exit 2) listing them; none: undefined.
 */
export function pickById<R extends { id: string }>(
  found: readonly R[],
  given: string,
  o: { what: string; exact?: (row: R) => (string | null | undefined)[]; describe?: (row: R) => string },
): R | undefined {
  const distinct = [...new Map(found.map((r) => [r.id, r])).values()];
  const exact = distinct.filter((r) => r.id === given.toLowerCase() || (o.exact?.(r) ?? []).includes(given));
  if (exact.length === 1) return exact[0];
  if (distinct.length <= 1) return distinct[0];
  const lines = distinct.map((r) => `  ${r.id}${o.describe ? `  ${o.describe(r)}` : ''}`);
  throw new UsageError(`${o.what} id "${given}" is ambiguous; it could be:\n${lines.join('\n')}`, { hint: 'give more characters of the id' });
}

/**
 * The error for an id that named nothing: a fragment too short to be a prefix is a usage error
 * saying so (`videos show 3f`), not "no video 3f", which reads as if no such video existed.
 */
export function noneWithId(what: 'job' | 'video', given: string): NotFoundError | UsageError {
  const list = `see: octo ${what === 'job' ? 'jobs' : 'videos'} list`;
  const text = given.trim();
  if (text.length > 0 && text.length < MIN_PREFIX && /^[0-9a-f-]+$/i.test(text)) {
    return new UsageError(`"${text}" is too short for an id prefix: give ${MIN_PREFIX} or more characters of the ${what} id`, { hint: list });
  }
  return new NotFoundError(`no ${what} ${given}`, { hint: list });
}
