/** An Azure profile as generate, jobs and videos need it. The API key never leaves the process. */
export type ProfileConfig = {
  name: string;
  endpoint: string;
  api_key: string;
  /** api-key (default), api-key-env, azure-cli or entra: see src/sora/auth.ts. */
  credential: string;
  /** For api-key-env: the variable's name. */
  api_key_env: string | null;
  deployment: string;
  sora_version: 'sora-1' | 'sora-2';
  is_active: boolean;
  /** The resource's create pace set on the profile (creates per minute), if any. */
  creates_per_minute?: number | null;
};

/**
 * The one place `sora_version` is normalised: anything but sora-2 (NULL, older spellings) is
 * sora-1, for generate, jobs, videos and the profile commands alike.
 */
export const soraVersionSql = (p: string) => `CASE WHEN ${p}.sora_version = 'sora-2' THEN 'sora-2' ELSE 'sora-1' END`;

/** A profiles_config row (alias `p`) as a ProfileConfig. */
export const profileColumns = (p: string) =>
  `${p}.name, ${p}.endpoint, ${p}.api_key, COALESCE(${p}.credential, 'api-key') AS credential, ${p}.api_key_env, ${p}.deployment,
   ${soraVersionSql(p)} AS sora_version, COALESCE(${p}.is_active, false) AS is_active,
   ${p}.creates_per_minute`;
