import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
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
    run: async (argv, options = {}) => {
      const counter = options.db ? memberCounters.get(options.db) : undefined;
      if (!counter) {
        return runCli(argv, {
          env: { ...env, ...options.env },
          stdin: options.stdin,
          tty: options.tty,
          overrides: options.db ? { db: async () => options.db! } : undefined,
        });
      }
      // Member mode (OCTO_TEST_MEMBERS=1): the command gets a member connection carrying this
      // user's token, as the CLI's own would; its round trips count on the test's Db.
      const own = { ...env, ...options.env };
      const db = await openDatabase(resolveDatabase({ env: own, dataDir: '/nonexistent' }), { env: own, sessionToken: cachedTokenIn(own) });
      try {
        return await runCli(argv, { env: own, stdin: options.stdin, tty: options.tty, overrides: { db: async () => db } });
      } finally {
        counter.extra += db.roundTrips;
        await db.close();
      }
    },
  };
}

const memberCounters = new WeakMap<Db, { extra: number }>();

function cachedTokenIn(env: Record<string, string>): string | null {
  if (env.OCTO_TOKEN) return env.OCTO_TOKEN;
  try {
    return /"token":\s*"([A-Za-z0-9_.-]+)"/.exec(readFileSync(join(env.OCTO_CONFIG_DIR!, 'config.json'), 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

export async function signedUp(database: TestDatabase, email: string, password: string, name = 'Test'): Promise<TestUser> {
  const user = userOn(database, email, password);
  const result = await user.run(['signup', '--email', email, '--name', name, '--password-stdin'], { stdin: `${password}\n` });
  if (result.code !== 0) throw new Error(`signup failed: ${result.stderr}`);
  return user;
}

/** The test's own connection through octo's driver for `database` (to count round trips). */
export async function openOwnDb(database: TestDatabase): Promise<Db> {
  const env = { ...(database.ownerEnv ?? database.env) };
  const db = await openDatabase(resolveDatabase({ env, dataDir: env.OCTO_DATA_DIR ?? '/nonexistent' }), { env });
  if (!database.ownerEnv) return db;
  // Member mode: the owner's connection for direct reads; commands handed it run as members.
  const counter = { extra: 0 };
  const counting: Db = Object.create(db, { roundTrips: { get: () => db.roundTrips + counter.extra } });
  memberCounters.set(counting, counter);
  return counting;
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
