import { NotFoundError, UsageError } from '../../core/errors.js';
import { shellArg } from '../../core/text.js';
import { onlyRow } from './rows.js';
import { ConstraintError } from '../connection/errors.js';
import { profileColumns } from './profile-config.js';
import type { Db, SessionRef } from '../connection/types.js';
import type { Profile, ProfileConnection } from '../../sora/profile.js';

/**
 * Azure profiles (`profiles_config`), always scoped to the session's user. API keys leave the
 * database only through `loadProfile` (the Sora client needs them); listings carry a hint of at
 * most the last 4 characters, computed in SQL.
 */

/** What add and update store: a profile's settings (`api_key` '' when it stores no key) and its pace. */
export type ProfileSettings = Omit<ProfileConnection, 'model'> & {
  /** --creates-per-minute: a number to store; undefined keeps what is stored (add: none). */
  creates_per_minute?: number;
  /** --model, stored as given; null: not set (guessed from the deployment's name; always for sora-1). */
  model: 'sora-2' | 'sora-2-pro' | null;
};

const PUBLIC_COLUMNS = profileColumns('profiles_config');

export async function listProfiles(db: Db, session: SessionRef): Promise<Profile[]> {
  return db
    .forSession(session)
    .query<Profile & Record<string, unknown>>(`SELECT ${PUBLIC_COLUMNS} FROM profiles_config WHERE user_id = (SELECT user_id FROM auth) ORDER BY name`);
}

export async function getProfile(db: Db, session: SessionRef, name: string): Promise<Profile> {
  const [row] = await db
    .forSession(session)
    .query<Profile & Record<string, unknown>>(`SELECT ${PUBLIC_COLUMNS} FROM profiles_config WHERE user_id = (SELECT user_id FROM auth) AND name = $1`, [name]);
  if (!row) throw notFound(name);
  return row;
}

/** Inserts a profile; the user's first becomes active. Duplicate name: UsageError. */
export async function addProfile(db: Db, session: SessionRef, profile: ProfileSettings): Promise<Profile> {
  try {
    return await insertProfile(db, session, profile, true);
  } catch (error) {
    if (error instanceof ConstraintError && error.isUniqueViolation) {
      throw new UsageError(`a profile named "${profile.name}" already exists`, {
        hint: `change it with: octo profile update ${shellArg(profile.name)} (or remove it: octo profile remove ${shellArg(profile.name)})`,
      });
    }
    if (error instanceof ConstraintError && error.constraint === 'profiles_config_one_active') {
      // Two first profiles added at once: the other one won; add this one inactive.
      return insertProfile(db, session, profile, false);
    }
    throw error;
  }
}

/** `profile update`: every setting of the user's profile NAME replaced. */
export async function changeProfile(db: Db, session: SessionRef, profile: ProfileSettings): Promise<Profile> {
  const rows = await db.forSession(session).query<Profile & Record<string, unknown>>(
    `UPDATE profiles_config SET endpoint = $2, api_key = $3, deployment = $4, sora_version = $5, credential = $6, api_key_env = $7,
          creates_per_minute = COALESCE($8::integer, creates_per_minute), model = $9, updated_at = NOW()
      WHERE user_id = (SELECT user_id FROM auth) AND name = $1
      RETURNING ${PUBLIC_COLUMNS}`,
    [
      profile.name,
      profile.endpoint,
      profile.api_key,
      profile.deployment,
      profile.sora_version,
      profile.credential,
      profile.api_key_env,
      profile.creates_per_minute ?? null,
      profile.model,
    ],
  );
  if (!rows[0]) throw notFound(profile.name);
  return rows[0];
}

/** Active when `mayBeActive` and the user has no active profile yet. */
async function insertProfile(db: Db, session: SessionRef, profile: ProfileSettings, mayBeActive: boolean): Promise<Profile> {
  const rows = await db.forSession(session).query<Profile & Record<string, unknown>>(
    `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version, is_active, credential, api_key_env, creates_per_minute, model)
     SELECT user_id, $1, $2, $3, $4, $5,
            $6::boolean AND NOT EXISTS (SELECT 1 FROM profiles_config WHERE user_id = auth.user_id AND is_active),
            $7, $8, $9::integer, $10
     FROM auth
     RETURNING ${PUBLIC_COLUMNS}`,
    [
      profile.name,
      profile.endpoint,
      profile.api_key,
      profile.deployment,
      profile.sora_version,
      mayBeActive,
      profile.credential,
      profile.api_key_env,
      profile.creates_per_minute ?? null,
      profile.model,
    ],
  );
  return onlyRow(rows, 'insert profile');
}

/**
 * Makes `name` the active profile in ONE statement (every row of the user gets
 * is_active = (name = $1)); the deferred exclusion constraint of migration 010 makes two
 * concurrent calls end with exactly one active profile.
 */
export async function useProfile(db: Db, session: SessionRef, name: string): Promise<void> {
  const rows = await db.forSession(session).query(
    `UPDATE profiles_config
     SET is_active = (name = $1),
         updated_at = CASE WHEN COALESCE(is_active, FALSE) <> (name = $1) THEN NOW() ELSE updated_at END
     WHERE user_id = (SELECT user_id FROM auth)
       AND EXISTS (SELECT 1 FROM profiles_config p WHERE p.user_id = (SELECT user_id FROM auth) AND p.name = $1)
     RETURNING name`,
    [name],
  );
  if (rows.length === 0) throw notFound(name);
}

export async function removeProfile(db: Db, session: SessionRef, name: string): Promise<{ wasActive: boolean }> {
  const [row] = await db
    .forSession(session)
    .query<{ is_active: boolean }>(
      `DELETE FROM profiles_config WHERE user_id = (SELECT user_id FROM auth) AND name = $1 RETURNING COALESCE(is_active, FALSE) AS is_active`,
      [name],
    );
  if (!row) throw notFound(name);
  return { wasActive: Boolean(row.is_active) };
}

/** Unfinished generations made on the profile, counted by status: removing it leaves nothing that can reach them. */
export async function unfinishedJobsOn(db: Db, session: SessionRef, name: string): Promise<{ status: string; n: number }[]> {
  return db.forSession(session).query<{ status: string; n: number }>(
    `SELECT g.status, count(*)::int AS n FROM video_generations g
      WHERE g.user_id = (SELECT user_id FROM auth) AND g.profile_name = $1
        AND g.status NOT IN ('completed', 'succeeded', 'failed', 'canceled', 'cancelled')
      GROUP BY g.status ORDER BY g.status`,
    [name],
  );
}

const notFound = (name: string) => new NotFoundError(`no profile named "${name}"`, { hint: 'see: octo profile list' });
