import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, migrationStatus } from '../../src/db/connection/migrate.js';
import { openPg } from '../../src/db/connection/pg-driver.js';
import { postgresReachable } from '../support/databases.js';
import { adminUrl } from '../support/global-setup.js';

const name = `octo_migrate_${randomBytes(5).toString('hex')}`;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(sql);
  await client.end();
}

describe.skipIf(!postgresReachable())('octo db migrate from two terminals at once', () => {
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('applies every migration once, whichever runner gets there first', async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl());
    url.pathname = `/${name}`;
    const open = () => openPg({ label: 'test', key: 'test', config: { connectionString: url.toString() } });
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const [appliedA, appliedB] = await Promise.all([migrate(a), migrate(b)]);
      const all = listMigrations().map((m) => m.name);
      // Both tried; the ledger records each migration once, and one of them recorded it.
      expect([...appliedA, ...appliedB].sort()).toEqual([...all].sort());
      expect(await migrationStatus(a)).toEqual({ applied: [...all].sort(), pending: [] });
      expect(await migrate(a)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
