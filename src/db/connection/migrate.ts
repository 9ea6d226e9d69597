import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import { splitSql } from './sql-split.js';
import type { Db } from './types.js';

/**
 * Migrations: the seed schema first (`scripts/neon-schema.sql`, the web app's five tables), then
 * `scripts/migrations/NNN_name.sql` in order. Every file is idempotent (IF NOT EXISTS), applied
 * in one transaction behind an advisory lock, so two terminals migrating at once both succeed.
 */

export interface Migration {
  name: string;
  statements: string[];
}

export const SEED_MIGRATION = '000_seed_schema';
/** Any constant; names octo's schema lock (migrations and `db members`). */
export const LOCK_KEY = 7_301_942;

export function listMigrations(root = packageRoot()): Migration[] {
  const seed = { name: SEED_MIGRATION, statements: splitSql(readFileSync(join(root, 'scripts', 'neon-schema.sql'), 'utf8')) };
  const folder = join(root, 'scripts', 'migrations');
  const files = readdirSync(folder)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort();
  return [
    seed,
    ...files.map((file) => ({
      name: file.replace(/\.sql$/, ''),
      statements: splitSql(readFileSync(join(folder, file), 'utf8')),
    })),
  ];
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  name TEXT PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
)`;

export async function appliedMigrations(db: Db): Promise<string[]> {
  // Two steps: Postgres refuses a query naming a missing table even in a branch never taken.
  const [probe] = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!probe?.t) return [];
  const rows = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
  return rows.map((row) => row.name);
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(db: Db, migrations = listMigrations()): Promise<MigrationStatus> {
  const applied = await appliedMigrations(db);
  const done = new Set(applied);
  return { applied, pending: migrations.map((m) => m.name).filter((name) => !done.has(name)) };
}

/** Applies what is pending; returns the names applied by this call. */
export async function migrate(db: Db, migrations = listMigrations()): Promise<string[]> {
  const { pending } = await migrationStatus(db, migrations);
  const appliedNow: string[] = [];
  for (const migration of migrations.filter((m) => pending.includes(m.name))) {
    const [, , ...results] = await db.transaction([
      { text: 'SELECT pg_advisory_xact_lock($1)', values: [LOCK_KEY] },
      { text: CREATE_LEDGER },
      ...migration.statements.map((text) => ({ text })),
      {
        text: 'INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING name',
        values: [migration.name],
      },
    ]);
    if ((results.at(-1) ?? []).length > 0) appliedNow.push(migration.name);
  }
  await resyncMembers(db);
  return appliedNow;
}

/**
 * With members enabled (`octo db members enable`), installs their policies and grants again, so
 * a table that a migration added is covered the moment it exists for members at all (until
 * then a member has no privilege on it). Returns the member role, or null.
 */
export async function resyncMembers(db: Db): Promise<string | null> {
  const [probe] = await db.query<{ ready: boolean }>(`SELECT to_regprocedure('octo_members_resync()') IS NOT NULL AS ready`);
  if (!probe?.ready) return null;
  const [, synced] = await db.transaction([{ text: 'SELECT pg_advisory_xact_lock($1)', values: [LOCK_KEY] }, { text: 'SELECT octo_members_resync() AS role' }]);
  return (synced?.[0]?.role as string | null | undefined) ?? null;
}
