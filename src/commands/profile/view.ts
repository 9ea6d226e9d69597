import { ProfileCheckError } from '../../core/errors.js';
import { shellArg } from '../../core/text.js';
import type { Logger } from '../../output/logger.js';
import type { Column } from '../../output/result.js';
import type { ProfileChange } from '../../profiles/index.js';
import { readinessNotes, type Readiness } from '../../profiles/readiness.js';
import type { Profile } from '../../sora/profile.js';
import { SORA2_MODELS } from '../../sora/types.js';

/** How the profile commands show a profile: its columns, its credential in words, its JSON. */

export const PROFILE_COLUMNS: Column<Profile>[] = [
  { key: 'is_active', header: 'ACTIVE', format: (value) => (value ? '*' : '') },
  { key: 'name', header: 'NAME' },
  { key: 'endpoint', header: 'ENDPOINT', flex: true },
  { key: 'deployment', header: 'DEPLOYMENT' },
  { key: 'sora_version', header: 'SORA' },
  { key: 'model', header: 'MODEL', format: (value, row) => `${value}${row.model_guessed ? '?' : ''}`, optional: true },
  { key: 'credential', header: 'CREDENTIAL', format: (_value, row) => describeCredential(row) },
];

/** "api key …abcd", "env AZURE_KEY", "azure-cli", "entra": which credential, never the key. */
export function describeCredential(row: Pick<Profile, 'credential' | 'api_key_env' | 'api_key_hint'>): string {
  if (row.credential === 'api-key-env') return `env ${row.api_key_env}`;
  if (row.credential === 'azure-cli' || row.credential === 'entra') return row.credential;
  return `api key ${row.api_key_hint ?? '…'}`;
}

/**
 * The JSON contract of profile show/list/add/update, these keys in this order. A Profile has
 * exactly these fields; the copy keeps anything else a value may carry (a key) out of the output.
 */
export function profileJson(row: Profile): Profile {
  return {
    name: row.name,
    endpoint: row.endpoint,
    deployment: row.deployment,
    sora_version: row.sora_version,
    model: row.model,
    model_guessed: row.model_guessed,
    is_active: row.is_active,
    credential: row.credential,
    api_key_env: row.api_key_env,
    api_key_hint: row.api_key_hint,
    creates_per_minute: row.creates_per_minute,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** `profile add` / `update`: a refused check says that nothing was stored, and how to store it anyway. */
export async function storing(change: Promise<ProfileChange>): Promise<ProfileChange> {
  try {
    return await change;
  } catch (error) {
    if (!(error instanceof ProfileCheckError)) throw error;
    throw new ProfileCheckError(error.profile, error.cause, { hint: 'nothing was stored; fix the setting, or store it unchecked with --no-check' });
  }
}

/** Said wherever a profile's model is only a guess: what it is and how to set it. */
export function modelGuess(row: Pick<Profile, 'model' | 'model_guessed'>): string | null {
  return row.model_guessed ? `model ${row.model}, guessed from the deployment name; set it with --model` : null;
}

/** After a check that passed: what it proved, what it cannot tell, and what Azure's schedule says of the model. */
export function noteReadiness(log: Logger, r: Readiness): void {
  const { info, warn } = readinessNotes(r);
  for (const line of info) log.info(line);
  for (const line of warn) log.warn(line);
}

/** A check left to `profile test` (a token credential, or a key variable not set here) is said on stderr. */
export function noteUnchecked(log: Logger, change: ProfileChange): void {
  if (change.check.checked) noteReadiness(log, change.check.result);
  if (!change.check.checked && change.check.reason === 'credential not at hand') {
    log.info(`Not checked: run octo profile test ${shellArg(change.profile.name)} once its credential is available.`);
  }
}

/** `--model` of profile add and update, with which sizes need which model. */
export const MODEL_OPTION = {
  flags: '--model <model>',
  description:
    'the model the deployment runs: sora-2 (720x1280, 1280x720) or sora-2-pro (also 1024x1792, 1792x1024). Default: guessed from the deployment name (sora-2-pro in it means pro)',
  choices: SORA2_MODELS,
} as const;
