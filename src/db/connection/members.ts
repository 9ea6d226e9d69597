import { FailureError, UsageError } from '../../core/errors.js';
import { LOCK_KEY } from './migrate.js';
import type { Db } from './types.js';

/**
 * `octo db members`: row-level security and a member login role (scripts/migrations/061_members.sql
 * holds the policies and the SECURITY DEFINER functions; this module only switches them on and off).
 */

export const DEFAULT_MEMBER_ROLE = 'octo_member';

export interface MembersStatus {
  row_level_security: boolean;
  /** The role the policies are for, when enabled. */
  role: string | null;
}

/** Whether members are enabled; readable by the owner and by a member alike. One round trip. */
export async function membersStatus(db: Db): Promise<MembersStatus> {
  const [row] = await db.query<{ rls: boolean | null; role: string | null }>(
    `SELECT (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = to_regclass('users')) AS rls,
            (SELECT p.roles[1]::text FROM pg_policies p
             WHERE p.schemaname = current_schema() AND p.tablename = 'users' AND p.policyname = 'octo_member' LIMIT 1) AS role`,
  );
  return { row_level_security: Boolean(row?.rls && row.role), role: row?.role ?? null };
}

export function checkRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new UsageError(`not a usable role name: ${JSON.stringify(role)}`, { hint: 'lower-case letters, digits and _, starting with a letter or _' });
  }
  return role;
}

interface Settings {
  ready: boolean;
  role: string | null;
  password: string | null;
}

async function readSettings(db: Db): Promise<Settings> {
  const [probe] = await db.query<{ ready: boolean }>(`SELECT to_regprocedure('octo_members_sync(text)') IS NOT NULL AS ready`);
  if (!probe?.ready) return { ready: false, role: null, password: null };
  const [row] = await db.query<{ role: string | null; password: string | null }>(
    `SELECT (SELECT value FROM octo_settings WHERE key = 'members_role') AS role,
            (SELECT value FROM octo_settings WHERE key = 'members_password') AS password`,
  );
  return { ready: true, role: row?.role ?? null, password: row?.password ?? null };
}

/**
 * Creates the role (or re-arms it with its recorded password, so running this again prints the
 * same URL), installs pgcrypto, records the role and installs the policies. Idempotent.
 */
export async function enableMembers(db: Db, role: string, newPassword: string): Promise<{ role: string; password: string; tables: number }> {
  const settings = await readSettings(db);
  if (!settings.ready) {
    throw new FailureError(`the database at ${db.label} does not have octo's member functions yet`, { hint: 'run: octo db migrate' });
  }
  if (settings.role && settings.role !== role) {
    throw new UsageError(`members are already enabled for the role ${settings.role}`, {
      hint: `run: octo db members disable, then enable with --role ${role}`,
    });
  }
  const password = settings.role === role && settings.password ? settings.password : newPassword;
  const [, , , , synced] = await db.transaction([
    { text: 'SELECT pg_advisory_xact_lock($1)', values: [LOCK_KEY] },
    { text: 'CREATE EXTENSION IF NOT EXISTS pgcrypto' },
    { text: 'SELECT octo_members_role($1, $2)', values: [role, password] },
    {
      text: `INSERT INTO octo_settings (key, value) VALUES ('members_role', $1), ('members_password', $2)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      values: [role, password],
    },
    { text: 'SELECT octo_members_sync($1) AS tables', values: [role] },
  ]);
  return { role, password, tables: Number(synced?.[0]?.tables ?? 0) };
}

/** Drops the policies, the grants and the role. Returns the role that was dropped, or null. */
export async function disableMembers(db: Db): Promise<string | null> {
  const settings = await readSettings(db);
  if (!settings.ready) return null;
  const role = settings.role ?? (await membersStatus(db)).role;
  if (!role) return null;
  await db.transaction([
    { text: 'SELECT pg_advisory_xact_lock($1)', values: [LOCK_KEY] },
    { text: 'SELECT octo_members_drop($1)', values: [role] },
    { text: `DELETE FROM octo_settings WHERE key IN ('members_role', 'members_password')` },
  ]);
  return role;
}

/** The owner's URL with the member role's name and password instead: what members connect with. */
export function memberUrl(ownerUrl: string, role: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}
