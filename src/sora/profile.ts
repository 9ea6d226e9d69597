import type { SoraModel, SoraVersion } from './types.js';

/** How a profile proves itself to Azure OpenAI (see soraAuth): a stored key, a variable's key, or Entra ID tokens. */
export const CREDENTIAL_KINDS = ['api-key', 'api-key-env', 'azure-cli', 'entra'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/**
 * An Azure profile: which Sora deployment octo talks to and how it proves itself. One shape for
 * every layer: the `profiles_config` columns as the database returns them, which are also the
 * `--json` fields of `profile show/list` (so nothing converts between spellings). The stored API
 * key is not part of it: only `ProfileWithKey` carries it, read when a Sora client is made.
 */
export interface Profile {
  name: string;
  /** Resource URL or a full request URL, as the user gave it. */
  endpoint: string;
  /** Azure deployment name, sent as `model`. */
  deployment: string;
  sora_version: SoraVersion;
  /** The model the deployment runs: what prices, sizes and the lifecycle go by. */
  model: SoraModel;
  /** true: not set with --model but guessed from the deployment's name (sora-2-pro in it means pro). */
  model_guessed: boolean;
  is_active: boolean;
  credential: CredentialKind;
  /** For api-key-env: the variable's name (the key itself is never stored). */
  api_key_env: string | null;
  /** "…abcd": the stored key's last 4 characters; null for a profile that stores no key. */
  api_key_hint: string | null;
  /** The sora-2 create pace this profile asks for on its resource; null: Azure's default (2). */
  creates_per_minute: number | null;
  created_at: Date | null;
  updated_at: Date | null;
}

/** A profile with the key it stores ('' for every kind but api-key): what a Sora client is made from. Never rendered. */
export interface ProfileWithKey extends Profile {
  api_key: string;
}

/** What making a client for a profile reads. */
export type ProfileConnection = Pick<ProfileWithKey, 'name' | 'endpoint' | 'deployment' | 'sora_version' | 'credential' | 'api_key' | 'api_key_env'> &
  Partial<Pick<ProfileWithKey, 'model' | 'model_guessed'>>;
