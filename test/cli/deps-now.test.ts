import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { createUserWithSession } from '../support/users.js';

describe('an overridden clock (deps.now)', () => {
  let database: TestDatabase;
  let db: Db;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('pg');
    db = await openDatabase(resolveDatabase({ env: database.env, dataDir: database.env.OCTO_DATA_DIR ?? '/nonexistent' }), { env: database.env });
    const user = await createUserWithSession(db);
    env = cliEnv({ ...database.env, OCTO_TOKEN: user.token });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('reaches the session check: a token valid today has expired 8 days later', async () => {
    expect((await runCli(['whoami'], { env })).code).toBe(0);
    const later = new Date(Date.now() + 8 * 86_400_000);
    const expired = await runCli(['whoami'], { env, overrides: { now: () => later } });
    expect(expired.code, expired.stderr).toBe(4);
    expect(expired.stderr).toContain('run: octo login');
  });
});
