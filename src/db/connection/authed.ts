import { AuthError } from '../../core/errors.js';
import type { Session } from '../../auth/session.js';
import type { Db, Row } from './types.js';

/**
 * The session check, folded into a command's own query so it costs no extra round trip.
 *
 * Write the query with `$1` and `$2` reserved for the session (id, token hash) and your own
 * parameters from `$3`; refer to the user as `(SELECT user_id FROM auth)` or join `auth`.
 * `authedQuery` prepends
 *
 *   WITH auth AS (SELECT user_id FROM sessions WHERE id = $1 AND token_hash = $2 AND expires_at > NOW())
 *
 * and wraps the query so one extra row always tells whether the session was valid. A revoked,
 * expired or deleted session throws AuthError (exit 4); otherwise you get your rows.
 *
 * Your SQL may itself start with `WITH ...`: its CTEs are appended after `auth`.
 */
export const AUTH_CTE = 'auth AS (SELECT user_id FROM sessions WHERE id = $1::uuid AND token_hash = $2 AND expires_at > NOW())';

export function authedSql(sql: string): string {
  const trimmed = sql.trim();
  let ctes = '';
  let body = trimmed;
  const withMatch = /^WITH\s+/i.exec(trimmed);
  if (withMatch) {
    // Split "WITH a AS (...), b AS (...) SELECT ..." into its CTE list and final statement.
    const { ctes: list, rest } = splitWith(trimmed.slice(withMatch[0].length));
    ctes = `, ${list}`;
    body = rest;
  }
  // `result` may be a SELECT or an INSERT/UPDATE/DELETE ... RETURNING. The session row comes
  // first and the rows keep the order they were produced in because the outer ORDER BY says so
  // (a UNION ALL's order is not guaranteed); row_number() OVER () numbers them as `result` yields them.
  return `WITH ${AUTH_CTE}${ctes}, result AS (${body})
SELECT __auth, __row FROM (
  SELECT 0::bigint AS __n, (SELECT count(*) FROM auth) AS __auth, NULL::jsonb AS __row
  UNION ALL
  SELECT row_number() OVER (), 1, to_jsonb(result) FROM result
) numbered ORDER BY __n`;
}

/** Runs `sql` (see above) as the session's user; one round trip. */
export async function authedQuery<R extends Row = Row>(
  db: Db,
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const rows = await db.query<{ __auth: number; __row: Record<string, unknown> | null }>(authedSql(sql), [session.sessionId, session.tokenHash, ...values], {
    sessionToken: session.token,
  });
  const [head, ...rest] = rows;
  if (!head || Number(head.__auth) === 0) throw new AuthError('your session has expired or was revoked');
  return rest.map((row) => reviveDates(row.__row ?? {}) as R);
}

/**
 * to_jsonb turns timestamps into ISO strings: columns named `*_at` (the schema's convention for
 * timestamps) come back as Date. Nothing else is touched, however ISO-like: a prompt or a tag
 * stays the text the user wrote.
 */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?|Z)$/;
function reviveDates(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = key.endsWith('_at') && typeof value === 'string' && ISO.test(value) ? new Date(value) : value;
  return out;
}

function splitWith(text: string): { ctes: string; rest: string } {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (depth === 0 && /\s/.test(c)) {
      const after = text.slice(i).trimStart();
      if (/^(SELECT|INSERT|UPDATE|DELETE)\b/i.test(after) && /\)\s*$/.test(text.slice(0, i))) {
        return { ctes: text.slice(0, i).trim(), rest: after };
      }
    }
  }
  throw new Error('authedSql: cannot find the statement after WITH');
}
