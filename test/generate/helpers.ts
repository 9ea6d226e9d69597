import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, type DriverKind, type TestDatabase } from '../support/databases.js';
import { cliEnv, runCli, type CliOptions } from '../support/run-cli.js';
import { createUserWithSession } from '../support/users.js';

/** A real database, the emulator over real HTTP, and a user with a sora-1 and a sora-2 profile. */
export interface World {
  database: TestDatabase;
  db: Db;
  emulator: Emulator;
  close(): Promise<void>;
}

export async function startWorld(kind: DriverKind = 'pg', emulatorOptions: EmulatorOptions = {}): Promise<World> {
  const database = await createTestDatabase(kind);
  // The owner's connection (in member mode too): users and profiles are written straight in.
  const owner = database.ownerEnv ?? database.env;
  const db = await openDatabase(resolveDatabase({ env: owner, dataDir: owner.OCTO_DATA_DIR ?? '/nonexistent' }), { env: owner });
  const emulator = await startEmulator({ jobMs: 300, early404Ms: 30, apiKey: 'emulator-secret-key-1234', ...emulatorOptions });
  return {
    database,
    db,
    emulator,
    close: async () => {
      await emulator.close();
      await db.close();
      await database.drop();
    },
  };
}

export interface TestUser {
  userId: string;
  env: Record<string, string>;
  out: string;
  cli(argv: string[], options?: CliOptions): ReturnType<typeof runCli>;
}

export const API_KEY = 'emulator-secret-key-1234';

/** A user with profiles `s1` (sora-1, active) and `s2` (sora-2), on `endpoint`. */
export async function makeUser(world: World, o: { endpoint?: string; active?: 's1' | 's2' } = {}): Promise<TestUser> {
  const { session, token } = await createUserWithSession(world.db);
  const endpoint = o.endpoint ?? world.emulator.url;
  for (const [name, version, deployment] of [
    ['s1', 'sora-1', 'sora'],
    ['s2', 'sora-2', 'sora-2'],
  ] as const) {
    await world.db.query(
      // Unpaced (creates_per_minute 0): the create quota is shared through the database by every
      // test of a file; a test about pacing passes --creates-per-minute.
      `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version, is_active, creates_per_minute) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)`,
      [session.userId, name, endpoint, API_KEY, deployment, version, name === (o.active ?? 's1')],
    );
  }
  const out = mkdtempSync(join(tmpdir(), 'octo-out-'));
  const env = cliEnv({ ...world.database.env, OCTO_TOKEN: token, OCTO_POLL_MS: '25', OCTO_LEASE_MS: '1500' });
  return {
    userId: session.userId,
    env,
    out,
    cli: (argv, options = {}) => runCli(argv, { env, cwd: out, ...options }),
  };
}

export function cleanupDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

/** Every output of every in-process run in this file: the API key must appear in none. */
export async function expectNoSecretsInTranscript(): Promise<void> {
  const { transcript } = await import('../support/run-cli.js');
  const { expect } = await import('vitest');
  const all = transcript.join('\n');
  expect(all.length).toBeGreaterThan(0);
  expect(all).not.toContain(API_KEY);
}

/** Runs one command on a Db of its own and counts that command's database round trips. */
export async function countRoundTrips(world: World, user: TestUser, argv: string[]) {
  const { openDatabase, resolveDatabase } = await import('../../src/db/connection/open.js');
  // Carrying the user's token, as the CLI's own connection does (member mode needs it).
  const db = await openDatabase(resolveDatabase({ env: world.database.env, dataDir: '/nonexistent' }), {
    env: world.database.env,
    sessionToken: user.env.OCTO_TOKEN ?? null,
  });
  try {
    const before = db.roundTrips;
    const r = await user.cli(argv, { overrides: { db: async () => db } });
    return { r, trips: db.roundTrips - before };
  } finally {
    await db.close();
  }
}
