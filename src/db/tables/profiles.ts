import { NotFoundError, UsageError } from '../../core/errors.js';
import type { Session } from '../../auth/session.js';
import { authedQuery } from '../connection/authed.js';
import { onlyRow } from './rows.js';
import { ConstraintError } from '../connection/errors.js';
import { soraVersionSql } from './profile-config.js';
import type { Db } from '../connection/types.js';

/**
 * Azure profiles (`profiles_config`), always scoped to the session's user. API keys leave the
 * database only through `loadProfile` (the Sora client needs them); listings carry a hint of at
 * most the last 4 characters, computed in SQL.
 */

export type SoraVersion = 'sora-1' | 'sora-2';

export interface ProfileRow {
  name: string;
  endpoint: string;
  deployment: string;
  sora_version: SoraVersion;
  is_active: boolean;
  /** api-key, api-key-env, azure-cli or entra. */
  credential: string;
  /** For api-key-env: the variable's name (the key itself is never stored). */
  api_key_env: string | null;
  /** The stored key's last 4 characters; null for a profile that stores no key. */
  api_key_hint: string | null;
  /** The sora-2 create pace this profile asks for on its resource; null: Azure's default (2). */
  creates_per_minute: number | null;
  created_at?: Date;
  updated_at?: Date;
}

/** A profile ready for the Sora client. */
export interface ResolvedProfile {
  name: string;
  endpoint: string;
  apiKey: string;
  credential: string;
  apiKeyEnv: string | null;
  deployment: string;
  soraVersion: SoraVersion;
}

/** "…abcd": the last 4 characters, and nothing of keys too short to hide the rest. */
const HINT_SQL = `CASE WHEN COALESCE(credential, 'api-key') <> 'api-key' THEN NULL WHEN length(api_key) >= 12 THEN '…' || right(api_key, 4) ELSE '…' END`;
const PUBLIC_COLUMNS = `name, endpoint, deployment, ${soraVersionSql('profiles_config')} AS sora_version, COALESCE(is_active, FALSE) AS is_active,
  COALESCE(credential, 'api-key') AS credential, api_key_env, ${HINT_SQL} AS api_key_hint, creates_per_minute, created_at, updated_at`;

export async function listProfiles(db: Db, session: Session): Promise<ProfileRow[]> {
  return authedQuery<ProfileRow & Record<string, unknown>>(
    db,
    session,
    `SELECT ${PUBLIC_COLUMNS} FROM profiles_config WHERE user_id = (SELECT user_id FROM auth) ORDER BY name`,
  );
}

export async function getProfile(db: Db, session: Session, name: string): Promise<ProfileRow> {
  const [row] = await authedQuery<ProfileRow & Record<string, unknown>>(
    db,
    session,
    `SELECT ${PUBLIC_COLUMNS} FROM profiles_config WHERE user_id = (SELECT user_id FROM auth) AND name = $3`,
    [name],
  );
  if (!row) throw notFound(name);
  return row;
}

/** What add and update store: a profile's settings (`apiKey` '' when it stores no key) and its pace. */
type NewProfile = ResolvedProfile & {
  /** --creates-per-minute: a number to store; undefined keeps what is stored (add: none). */
  createsPerMinute?: number;
};

/** Inserts a profile; the user's first becomes active. Duplicate name: UsageError. */
export async function addProfile(db: Db, session: Session, profile: NewProfile): Promise<ProfileRow> {
  try {
    return await insertProfile(db, session, profile, true);
  } catch (error) {
    if (error instanceof ConstraintError && error.isUniqueViolation) {
      throw new UsageError(`a profile named "${profile.name}" already exists`, {
        hint: `change it with: octo profile update ${profile.name} (or remove it: octo profile remove ${profile.name})`,
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
export async function changeProfile(db: Db, session: Session, profile: NewProfile): Promise<ProfileRow> {
  const rows = await authedQuery<ProfileRow & Record<string, unknown>>(
    db,
    session,
    `UPDATE profiles_config SET endpoint = $4, api_key = $5, deployment = $6, sora_version = $7, credential = $8, api_key_env = $9,
          creates_per_minute = COALESCE($10::integer, creates_per_minute), updated_at = NOW()
      WHERE user_id = (SELECT user_id FROM auth) AND name = $3
      RETURNING ${PUBLIC_COLUMNS}`,
    [
      profile.name,
      profile.endpoint,
      profile.apiKey,
      profile.deployment,
      profile.soraVersion,
      profile.credential,
      profile.apiKeyEnv,
      profile.createsPerMinute ?? null,
    ],
  );
  if (!rows[0]) throw notFound(profile.name);
  return rows[0];
}

/** Active when `mayBeActive` and the user has no active profile yet. */
async function insertProfile(db: Db, session: Session, profile: NewProfile, mayBeActive: boolean): Promise<ProfileRow> {
  const rows = await authedQuery<ProfileRow & Record<string, unknown>>(
    db,
    session,
    `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version, is_active, credential, api_key_env, creates_per_minute)
     SELECT user_id, $3, $4, $5, $6, $7,
            $8::boolean AND NOT EXISTS (SELECT 1 FROM profiles_config WHERE user_id = auth.user_id AND is_active),
            $9, $10, $11::integer
     FROM auth
     RETURNING ${PUBLIC_COLUMNS}`,
    [
      profile.name,
      profile.endpoint,
      profile.apiKey,
      profile.deployment,
      profile.soraVersion,
      mayBeActive,
      profile.credential,
      profile.apiKeyEnv,
      profile.createsPerMinute ?? null,
    ],
  );
  return onlyRow(rows, 'insert profile');
}

/**
 * Makes `name` the active profile in ONE statement (every row of the user gets
 * is_active = (name = $3)); the deferred exclusion constraint of migration 010 makes two
 * concurrent calls end with exactly one active profile.
 */
export async function useProfile(db: Db, session: Session, name: string): Promise<void> {
  const rows = await authedQuery(
    db,
    session,
    `UPDATE profiles_config
     SET is_active = (name = $3),
         updated_at = CASE WHEN COALESCE(is_active, FALSE) <> (name = $3) THEN NOW() ELSE updated_at END
     WHERE user_id = (SELECT user_id FROM auth)
       AND EXISTS (SELECT 1 FROM profiles_config p WHERE p.user_id = (SELECT user_id FROM auth) AND p.name = $3)
     RETURNING name`,
    [name],
  );
  if (rows.length === 0) throw notFound(name);
}

export async function removeProfile(db: Db, session: Session, name: string): Promise<{ wasActive: boolean }> {
  const [row] = await authedQuery<{ is_active: boolean }>(
    db,
    session,
    `DELETE FROM profiles_config WHERE user_id = (SELECT user_id FROM auth) AND name = $3 RETURNING COALESCE(is_active, FALSE) AS is_active`,
    [name],
  );
  if (!row) throw notFound(name);
  return { wasActive: Boolean(row.is_active) };
}

/** Unfinished generations made on the profile: removing it leaves nothing that can reach them. */
export async function unfinishedJobsOn(db: Db, session: Session, name: string): Promise<number> {
  const [row] = await authedQuery<{ n: number }>(
    db,
    session,
    `SELECT count(*)::int AS n FROM video_generations g
      WHERE g.user_id = (SELECT user_id FROM auth) AND g.profile_name = $3
        AND g.status NOT IN ('completed', 'succeeded', 'failed', 'canceled', 'cancelled')`,
    [name],
  );
  return row?.n ?? 0;
}

const notFound = (name: string) => new NotFoundError(`no profile named "${name}"`, { hint: 'see: octo profile list' });
