import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../src/db/connection/migrate.js';
import { openPg } from '../../src/db/connection/pg-driver.js';
import { postgresReachable } from '../support/databases.js';
import { adminUrl } from '../support/global-setup.js';

const name = `octo_mig095_${randomBytes(5).toString('hex')}`;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(sql);
  await client.end();
}

describe.skipIf(!postgresReachable())('idx_video_generations_user_created', () => {
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("ends with 030's covering definition even where 040 ran first and took the name", async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl());
    url.pathname = `/${name}`;
    const db = await openPg({ label: 'test', key: 'test', config: { connectionString: url.toString() } });
    try {
      // A database that applied 040 before 030 existed (the two were written in parallel).
      const all = listMigrations();
      const upTo040 = all.filter((m) => m.name < '041');
      const m030 = upTo040.filter((m) => m.name.startsWith('030_'));
      await migrate(db, [...upTo040.filter((m) => !m.name.startsWith('030_')), ...m030]);
      const definition = async () =>
        (await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_video_generations_user_created'`))[0]?.indexdef;
      expect(await definition()).not.toContain('INCLUDE');

      await migrate(db);
      expect(await definition()).toMatch(/\(user_id, created_at\) INCLUDE \(status, estimated_cost, duration, variants, sora_model, profile_name\)/);
    } finally {
      await db.close();
    }
  });
});
