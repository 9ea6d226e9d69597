import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import { disableMembers, enableMembers, memberUrl } from '../../src/db/connection/members.js';
import type { Db } from '../../src/db/connection/types.js';
import { adminUrl } from './global-setup.js';
import type { TestDatabase } from './databases.js';

/**
 * Members on a test database (issue 11): the role is cluster-wide, so every test database gets
 * its own random role name, dropped with it.
 */

export interface Members {
  role: string;
  /** The member URL in the form octo is given it (the Neon host for `neon`). */
  url: string;
  /** The member URL reaching the local Postgres directly (raw SQL with `pg`). */
  pgUrl: string;
  /** `database.env` with the member URL instead of the owner's. */
  env: Record<string, string>;
}

export function memberRoleName(): string {
  return `octo_member_${randomBytes(5).toString('hex')}`;
}

/** The owner's own connection (no session carried): what `db members enable` runs on. */
export async function openOwner(database: TestDatabase): Promise<Db> {
  const env = { ...database.env };
  return openDatabase(resolveDatabase({ env, dataDir: env.OCTO_DATA_DIR ?? '/nonexistent' }), { env });
}

export async function enableMembersOn(database: TestDatabase, role = memberRoleName()): Promise<Members> {
  const owner = await openOwner(database);
  try {
    const enabled = await enableMembers(owner, { role, newPassword: randomBytes(18).toString('base64url') });
    const url = memberUrl(database.env.OCTO_DATABASE_URL!, enabled.role, enabled.password);
    return {
      role,
      url,
      pgUrl: memberUrl(database.inspectUrl, enabled.role, enabled.password),
      env: { ...database.env, OCTO_DATABASE_URL: url },
    };
  } finally {
    await owner.close();
  }
}

/** Drops the member role: after the database is gone, or through `db members disable` before. */
export async function dropMemberRole(role: string, database?: TestDatabase): Promise<void> {
  if (database) {
    const owner = await openOwner(database);
    await disableMembers(owner).finally(() => owner.close());
  }
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await client.end();
  }
}
