import pg from 'pg';
import { openDatabase, resolveDatabase } from '../../src/db/open.js';
import type { Db } from '../../src/db/types.js';
import { cliEnv, runCli, type CliEnv, type CliResult } from '../support/run-cli.js';
import type { TestDatabase } from '../support/databases.js';

/** A user with a config folder of their own, logged in to `database`. */
export interface TestUser {
  email: string;
  password: string;
  env: CliEnv;
  run(argv: string[], options?: { stdin?: string; env?: Record<string, string>; db?: Db; tty?: boolean }): Promise<CliResult>;
}

export function userOn(database: TestDatabase, email: string, password: string): TestUser {
  const env = cliEnv(database.env);
  return {
    email,
    password,
    env,
    run: (argv, options = {}) =>
      runCli(argv, {
        env: { ...env, ...options.env },
        stdin: options.stdin,
        tty: options.tty,
        overrides: options.db ? { db: async () => options.db! } : undefined,
      }),
  };
}

export async function signedUp(database: TestDatabase, email: string, password: string, name = 'Test'): Promise<TestUser> {
  const user = userOn(database, email, password);
  const result = await user.run(['signup', '--email', email, '--name', name, '--password-stdin'], { stdin: `${password}\n` });
  if (result.code !== 0) throw new Error(`signup failed: ${result.stderr}`);
  return user;
}

/** The test's own connection through octo's driver for `database` (to count round trips). */
export async function openOwnDb(database: TestDatabase): Promise<Db> {
  const env = { ...database.env };
  return openDatabase(resolveDatabase({ env, dataDir: env.OCTO_DATA_DIR ?? '/nonexistent' }), { env });
}

/** Direct SQL on the test database, as psql would. */
export async function sql<R = Record<string, unknown>>(database: TestDatabase, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: database.inspectUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as R[];
  } finally {
    await client.end();
  }
}
