import { createHash } from 'node:crypto';
import { FailureError, UsageError } from '../../core/errors.js';
import { LOCK_KEY } from './migrate.js';
import type { Db } from './types.js';

/**
 * `octo db members`: row-level security and a member login role (scripts/migrations/061_members.sql
 * and 102_member_role_per_database.sql hold the policies and the SECURITY DEFINER functions; this
 * module only switches them on and off). Role names belong to the whole server, so each database
 * gets a role of its own by default, and a role already serving another database is refused
 * unless the owner shares it on purpose (`--shared-role`).
 */

const ROLE_PREFIX = 'octo_member_';

/**
 * The default member role of a database: `octo_member_<name>`, the name lower-cased with anything
 * but letters, digits and _ made _, at most 63 bytes (Postgres's limit). When that changed the
 * name or cut it short, 8 hex digits of the name's hash keep two such databases apart.
 */
export function defaultMemberRole(database: string): string {
  const slug = database.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (slug === database && ROLE_PREFIX.length + slug.length <= 63) return `${ROLE_PREFIX}${slug}`;
  const hash = createHash('sha256').update(database).digest('hex').slice(0, 8);
  return `${ROLE_PREFIX}${slug.slice(0, 63 - ROLE_PREFIX.length - 9)}_${hash}`;
}

/** Database names, sent as JSON (every driver reads that alike; a name may hold a comma). */
function names(json: unknown): string[] {
  const value = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  return Array.isArray(value) ? value.map(String) : [];
}

export interface MembersStatus {
  row_level_security: boolean;
  /** The role the policies are for, when enabled. */
  role: string | null;
  /** Other databases of the server the role also serves (a shared role; the old default did). */
  role_also_serves: string[];
}

/** Whether members are enabled; readable by the owner and by a member alike. One round trip. */
export async function membersStatus(db: Db): Promise<MembersStatus> {
  const [row] = await db.query<{ rls: boolean | null; role: string | null; others: unknown }>(
    `WITH p AS (SELECT p.roles[1]::text AS role FROM pg_policies p
                WHERE p.schemaname = current_schema() AND p.tablename = 'users' AND p.policyname = 'octo_member' LIMIT 1)
     SELECT (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = to_regclass('users')) AS rls, (SELECT role FROM p) AS role,
            (SELECT to_json(array_agg(DISTINCT d.datname::text ORDER BY d.datname::text))
             FROM pg_shdepend s JOIN pg_database d ON d.oid = CASE WHEN s.dbid = 0 THEN s.objid ELSE s.dbid END
             WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT r.oid FROM pg_roles r WHERE r.rolname = (SELECT role FROM p))
               AND (s.dbid <> 0 OR s.classid = 'pg_database'::regclass) AND d.datname <> current_database()) AS others`,
  );
  return { row_level_security: Boolean(row?.rls && row.role), role: row?.role ?? null, role_also_serves: names(row?.others) };
}

export function checkRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new UsageError(`not a usable role name: ${JSON.stringify(role)}`, { hint: 'lower-case letters, digits and _, starting with a letter or _' });
  }
  return role;
}

interface Settings {
  ready: boolean;
  database: string;
  role: string | null;
  password: string | null;
}

async function readSettings(db: Db): Promise<Settings> {
  const [probe] = await db.query<{ ready: boolean; database: string }>(
    `SELECT to_regprocedure('octo_members_role_databases(text)') IS NOT NULL AS ready, current_database() AS database`,
  );
  if (!probe?.ready) return { ready: false, database: probe?.database ?? '', role: null, password: null };
  const [row] = await db.query<{ role: string | null; password: string | null }>(
    `SELECT (SELECT value FROM octo_settings WHERE key = 'members_role') AS role,
            (SELECT value FROM octo_settings WHERE key = 'members_password') AS password`,
  );
  return { ready: true, database: probe.database, role: row?.role ?? null, password: row?.password ?? null };
}

const sharedRoleRefusal = (role: string, others: string[]) =>
  new UsageError(`the role ${role} already serves another database of this server (${others.join(', ')}): its members would reach both`, {
    hint: `give this database a role of its own (leave out --role for the default), or share ${role} on purpose: octo db members enable --role ${role} --shared-role`,
  });

export interface EnableMembers {
  /** The role to use; default: the one already enabled here, else defaultMemberRole(database). */
  role?: string;
  /** Let a role that serves another database serve this one too (it keeps its password). */
  sharedRole?: boolean;
  /** The password for a role that is new or serves nothing else (and has none recorded here). */
  newPassword: string;
}

export interface EnabledMembers {
  role: string;
  /** Null for a shared role: it keeps the password its other databases' URLs carry. */
  password: string | null;
  tables: number;
  /** The other databases the role serves. */
  alsoServes: string[];
}

/** The driver's error (the cause of octo's) when its SQLSTATE is one of `codes`. */
function sqlState(error: unknown, codes: string[]): { code: string; detail?: string; message?: string } | undefined {
  return [error, (error as { cause?: unknown }).cause].find((e) => codes.includes(String((e as { code?: string } | undefined)?.code))) as
    | { code: string; detail?: string; message?: string }
    | undefined;
}

/**
 * Creates the role (or re-arms it with its recorded password, so running this again prints the
 * same URL), installs pgcrypto, records the role and installs the policies. Idempotent. Two
 * owners enabling one role on two databases at once: the role's catalog row serializes them, the
 * second fails (a duplicate role, or its row changed under it) and is run once more, when it
 * sees the first's grants and is refused.
 */
export async function enableMembers(db: Db, o: EnableMembers): Promise<EnabledMembers> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await enableOnce(db, o);
    } catch (error) {
      const raced = sqlState(error, ['23505', 'XX000']);
      if (attempt >= 3 || !raced || (raced.code === 'XX000' && !/concurrently/.test(raced.message ?? ''))) throw error;
    }
  }
}

async function enableOnce(db: Db, o: EnableMembers): Promise<EnabledMembers> {
  const settings = await readSettings(db);
  if (!settings.ready) {
    throw new FailureError(`the database at ${db.label} does not have octo's member functions yet`, { hint: 'run: octo db migrate' });
  }
  const role = o.role ?? settings.role ?? defaultMemberRole(settings.database);
  if (settings.role && settings.role !== role) {
    throw new UsageError(`members are already enabled for the role ${settings.role}`, {
      hint: `run: octo db members disable, then enable with --role ${role}`,
    });
  }
  const [serving] = await db.query<{ others: unknown }>('SELECT to_json(octo_members_role_databases($1)) AS others', [role]);
  const alsoServes = names(serving?.others);
  if (alsoServes.length > 0 && !o.sharedRole) throw sharedRoleRefusal(role, alsoServes);
  // A shared role keeps its password: changing it would cut off its other databases' members.
  const password = alsoServes.length > 0 ? null : settings.role === role && settings.password ? settings.password : o.newPassword;
  let synced: Record<string, unknown>[] | undefined;
  try {
    [, , , , synced] = await db.transaction([
      { text: 'SELECT pg_advisory_xact_lock($1)', values: [LOCK_KEY] },
      { text: 'CREATE EXTENSION IF NOT EXISTS pgcrypto' },
      // Checks again, under the role's lock: another database may have claimed it meanwhile.
      { text: 'SELECT octo_members_role($1, $2, $3)', values: [role, password, Boolean(o.sharedRole)] },
      {
        text: `INSERT INTO octo_settings (key, value) SELECT k, v FROM (VALUES ('members_role', $1::text), ('members_password', $2::text)) AS s (k, v)
               WHERE v IS NOT NULL ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        values: [role, password],
      },
      { text: 'SELECT octo_members_sync($1) AS tables', values: [role] },
    ]);
  } catch (error) {
    const refusal = sqlState(error, ['OC001']);
    if (refusal)
      throw sharedRoleRefusal(
        role,
        String(refusal.detail ?? '')
          .split(',')
          .filter(Boolean),
      );
    throw error;
  }
  return { role, password, tables: Number(synced?.[0]?.tables ?? 0), alsoServes };
}

export interface DisabledMembers {
  role: string;
  /** False when the role still serves another database (then only this database's grants went). */
  dropped: boolean;
  alsoServes: string[];
}

/** Drops the policies, this database's grants and the role (unless it serves another database). Null: members were not enabled. */
export async function disableMembers(db: Db): Promise<DisabledMembers | null> {
  const settings = await readSettings(db);
  if (!settings.ready) return null;
  const role = settings.role ?? (await membersStatus(db)).role;
  if (!role) return null;
  const [, , , serving] = await db.transaction([
    { text: 'SELECT pg_advisory_xact_lock($1)', values: [LOCK_KEY] },
    { text: 'SELECT octo_members_drop($1)', values: [role] },
    { text: `DELETE FROM octo_settings WHERE key IN ('members_role', 'members_password')` },
    { text: 'SELECT to_json(octo_members_role_databases($1)) AS others, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS kept', values: [role] },
  ]);
  const row = serving?.[0] as { others: unknown; kept: boolean } | undefined;
  return { role, dropped: !row?.kept, alsoServes: names(row?.others) };
}

/** The owner's URL with the member role's name and password instead: what members connect with. */
export function memberUrl(ownerUrl: string, role: string, password: string | null): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(role);
  url.password = password === null ? '' : encodeURIComponent(password);
  return url.toString();
}
