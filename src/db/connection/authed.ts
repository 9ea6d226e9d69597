import { AuthError } from '../../core/errors.js';
import type { Db, Row, SessionDb, SessionRef, SessionStatement, Statement } from './types.js';

/**
 * The session check, folded into a command's own query so it costs no extra round trip.
 *
 * `db.forSession(ref).query(sql, values)` runs `sql` as the session's user: write your own
 * parameters as `$1`, `$2`, … (the session's id and token hash are bound after them, so no
 * caller can take their numbers) and refer to the user as `(SELECT user_id FROM auth)` or join
 * `auth`. It prepends
 *
 *   WITH auth AS (SELECT user_id FROM sessions WHERE id = $n+1 AND token_hash = $n+2 AND expires_at > NOW())
 *
 * and wraps the query so one extra row always tells whether the session was valid. A revoked,
 * expired or deleted session throws AuthError (exit 4); otherwise you get your rows.
 *
 * Your SQL may itself start with `WITH ...`: its CTEs are appended after `auth`.
 */
export function sessionScope(db: Db, ref: SessionRef): SessionDb {
  const options = { sessionToken: ref.token };
  const checked = (text: string, values: unknown[] = []): Statement => ({
    text: checkedSql(text, values.length),
    values: [...values, ref.sessionId, ref.tokenHash],
  });
  return {
    async query<R extends Row = Row>(sql: string, values?: unknown[]): Promise<R[]> {
      const statement = checked(sql, values);
      return sessionRows<R>(await db.query<CheckedRow>(statement.text, statement.values, options));
    },
    async transaction(statements: SessionStatement[]): Promise<Row[][]> {
      const sent = statements.map((s) => (s.unchecked ? { text: s.text, values: s.values } : checked(s.text, s.values)));
      const results = await db.transaction(sent, options);
      return results.map((rows, i) => (statements[i]?.unchecked ? rows : sessionRows(rows as CheckedRow[])));
    },
  };
}

/** `sql` with the auth CTE prepended, the session's parameters numbered after its own `count`. */
function checkedSql(sql: string, count: number): string {
  const highest = highestParameter(sql);
  if (highest !== count) throw new Error(`a session query numbers its parameters up to $${highest} but is given ${count} value(s)`);
  return wrap(sql, `auth AS (SELECT user_id FROM sessions WHERE id = $${count + 1}::uuid AND token_hash = $${count + 2} AND expires_at > NOW())`);
}

type CheckedRow = { __auth: number; __row: Record<string, unknown> | null };

function sessionRows<R extends Row = Row>(rows: CheckedRow[]): R[] {
  const [head, ...rest] = rows;
  if (!head || Number(head.__auth) === 0) throw new AuthError('your session has expired or was revoked');
  return rest.map((row) => reviveDates(row.__row ?? {}) as R);
}

/**
 * The highest `$n` the statement names, outside quoted text, comments and dollar-quoted bodies
 * (where `$1` is not a parameter).
 */
const TOKENS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_][A-Za-z_0-9]*)?\$[\s\S]*?\$\1\$|\$(\d+)/g;
function highestParameter(sql: string): number {
  let highest = 0;
  for (const match of sql.matchAll(TOKENS)) if (match[2]) highest = Math.max(highest, Number(match[2]));
  return highest;
}

function wrap(sql: string, authCte: string): string {
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
  return `WITH ${authCte}${ctes}, result AS (${body})
SELECT __auth, __row FROM (
  SELECT 0::bigint AS __n, (SELECT count(*) FROM auth) AS __auth, NULL::jsonb AS __row
  UNION ALL
  SELECT row_number() OVER (), 1, to_jsonb(result) FROM result
) numbered ORDER BY __n`;
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
  throw new Error('the session check: cannot find the statement after WITH');
}
