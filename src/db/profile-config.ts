/** An Azure profile as generate, jobs and videos need it. The API key never leaves the process. */
export type ProfileConfig = {
  name: string;
  endpoint: string;
  api_key: string;
  deployment: string;
  sora_version: 'sora-1' | 'sora-2';
  is_active: boolean;
};

/** A profiles_config row (alias `p`) as a ProfileConfig: anything but sora-2 is sora-1. */
export const profileColumns = (p: string) =>
  `${p}.name, ${p}.endpoint, ${p}.api_key, ${p}.deployment,
   CASE WHEN ${p}.sora_version = 'sora-2' THEN 'sora-2' ELSE 'sora-1' END AS sora_version, COALESCE(${p}.is_active, false) AS is_active`;
