import type { ProfileWithKey } from '../../sora/profile.js';

/**
 * The one place `sora_version` is normalised: anything but sora-2 (NULL, older spellings) is
 * sora-1, for generate, jobs, videos and the profile commands alike.
 */
export const soraVersionSql = (p: string) => `CASE WHEN ${p}.sora_version = 'sora-2' THEN 'sora-2' ELSE 'sora-1' END`;

/** The model in force: the stored one, else guessed from the deployment's name; sora-1 for a sora-1 profile. */
const modelSql = (p: string) =>
  `CASE WHEN ${p}.sora_version = 'sora-2' THEN COALESCE(${p}.model, CASE WHEN ${p}.deployment ILIKE '%sora-2-pro%' THEN 'sora-2-pro' ELSE 'sora-2' END) ELSE 'sora-1' END`;

/** "…abcd": the last 4 characters, and nothing of keys too short to hide the rest. */
const hintSql = (p: string) =>
  `CASE WHEN COALESCE(${p}.credential, 'api-key') <> 'api-key' THEN NULL WHEN length(${p}.api_key) >= 12 THEN '…' || right(${p}.api_key, 4) ELSE '…' END`;

/** A profiles_config row (alias or table name `p`) as a Profile (src/sora/profile.ts): everything but the key. */
export const profileColumns = (p: string) =>
  `${p}.name, ${p}.endpoint, ${p}.deployment, ${soraVersionSql(p)} AS sora_version, COALESCE(${p}.is_active, FALSE) AS is_active,
   COALESCE(${p}.credential, 'api-key') AS credential, ${p}.api_key_env, ${hintSql(p)} AS api_key_hint, ${p}.creates_per_minute,
   ${modelSql(p)} AS model, (${p}.sora_version = 'sora-2' AND ${p}.model IS NULL) IS TRUE AS model_guessed, ${p}.created_at, ${p}.updated_at`;

/** As a ProfileWithKey: for the commands that make a Sora client (the key stays in the process). */
export const profileWithKeyColumns = (p: string) => `${profileColumns(p)}, ${p}.api_key`;

/**
 * A ProfileWithKey read through `to_jsonb` (a row's profile in the same round trip): JSON has no
 * dates, so the two times come back as text.
 */
export function profileFromJson(p: ProfileWithKey | null): ProfileWithKey | null {
  if (!p) return null;
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return { ...p, created_at: date(p.created_at), updated_at: date(p.updated_at) };
}
