import { checkText, quoted } from '../core/text.js';
import { NotFoundError, ProfileCheckError, UsageError } from '../core/errors.js';
import { explainUnavailable } from '../costs/lifecycle.js';
import { SoraDeploymentUnavailableError } from '../sora/errors.js';
import { askChoice, askSecret, askText, readStdin } from '../auth/input.js';
import { loadUserProfiles } from '../db/tables/generations.js';
import type { Db } from '../db/connection/types.js';
import type { Session } from '../auth/session.js';
import type { Context } from '../context/context.js';
import { readiness, type Readiness } from './readiness.js';
import { selectProfile } from './select.js';
import {
  addProfile as insertProfile,
  getProfile,
  listProfiles,
  removeProfile as deleteProfile,
  changeProfile,
  useProfile as switchProfile,
  unfinishedJobsOn,
} from '../db/tables/profiles.js';
import { SORA2_MODELS, SORA_VERSIONS, soraVersionSuggested, type SoraModel, type SoraVersion } from '../sora/types.js';
import type { CredentialKind, Profile, ProfileConnection, ProfileWithKey } from '../sora/profile.js';

/** `octo profile …` as `(ctx, options) → data`; the command files wire flags to these. */

/**
 * The profile a command uses, with its credential: `name`, else --profile / OCTO_PROFILE, else the
 * active one, else config `default-profile` (selectProfile: the same rule generate applies).
 * One round trip, session check included.
 */
export async function loadProfile(db: Db, session: Session, choice: { named?: string; configDefault?: string }): Promise<ProfileWithKey> {
  return selectProfile(await loadUserProfiles(db, session), choice.named, choice.configDefault);
}

/** loadProfile with what a command's values hold. */
async function profileFor(ctx: Pick<Context, 'db' | 'session' | 'globals' | 'setting'>, name?: string): Promise<ProfileWithKey> {
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  return loadProfile(db, session, { named: name ?? ctx.globals.profile, configDefault: ctx.setting('default-profile') });
}

export interface AddOptions {
  endpoint?: string;
  deployment?: string;
  soraVersion?: string;
  apiKeyStdin?: boolean;
  /** Store only this environment variable's name; the key is read from it when needed. */
  apiKeyEnv?: string;
  /** api-key (default), azure-cli or entra. */
  auth?: string;
  /** false: store without the one cheap request that proves endpoint, deployment and key work. */
  check?: boolean;
  /** sora-2 creates a minute this profile asks for on its Azure resource (0: unpaced). */
  createsPerMinute?: number;
  /** sora-2 or sora-2-pro: the model the deployment runs (unset: guessed from its name). */
  model?: string;
}

type Sora2Model = (typeof SORA2_MODELS)[number];

/** `--model`, checked against the Sora version; undefined when not given. */
function modelFrom(value: string | undefined, soraVersion: SoraVersion): Sora2Model | undefined {
  if (value === undefined) return undefined;
  if (!(SORA2_MODELS as readonly string[]).includes(value)) throw new UsageError(`--model must be sora-2 or sora-2-pro (got "${value}")`);
  if (soraVersion !== 'sora-2')
    throw new UsageError("--model is for sora-2 profiles: a sora-1 profile's model is sora-1", { hint: 'add --sora-version sora-2' });
  return value as Sora2Model;
}

export const AUTH_KINDS = ['api-key', 'azure-cli', 'entra'] as const;

/** Which credential `profile add` stores, from its flags; contradictory flags are a usage error. */
export function credentialFrom(options: Pick<AddOptions, 'auth' | 'apiKeyEnv' | 'apiKeyStdin'>): { credential: CredentialKind; apiKeyEnv: string | null } {
  const auth = options.auth ?? 'api-key';
  if (!(AUTH_KINDS as readonly string[]).includes(auth)) throw new UsageError(`--auth must be api-key, azure-cli or entra (got "${auth}")`);
  if (auth !== 'api-key' && (options.apiKeyEnv !== undefined || options.apiKeyStdin)) {
    throw new UsageError(`--auth ${auth} uses Entra ID tokens: it takes no API key (drop --api-key-env / --api-key-stdin)`);
  }
  if (options.apiKeyEnv !== undefined) {
    if (options.apiKeyStdin) throw new UsageError('--api-key-env and --api-key-stdin cannot be used together');
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(options.apiKeyEnv)) {
      throw new UsageError(`--api-key-env takes the NAME of an environment variable (letters, digits, _), got ${JSON.stringify(options.apiKeyEnv)}`);
    }
    return { credential: 'api-key-env', apiKeyEnv: options.apiKeyEnv };
  }
  return { credential: auth as CredentialKind, apiKeyEnv: null };
}

/** What became of the one check request `profile add` and `update` make before storing. */
export type SettingsCheck =
  | { checked: true; result: ProfileTestResult }
  /** --no-check, or only the pace changed (nothing the service could refuse). */
  | { checked: false; reason: 'not asked' }
  /** A token credential (azure-cli, entra) or a key variable not set here: left to `profile test`. */
  | { checked: false; reason: 'credential not at hand' };

/** What `profile add` and `update` did: the profile as stored, and whether the service was asked first. */
export interface ProfileChange {
  profile: Profile;
  check: SettingsCheck;
  /** api-key-env: the variable the profile names, when it is not set in this environment. */
  unsetKeyVariable: string | null;
}

const keyVariableUnset = (ctx: Pick<Context, 'processEnv'>, p: Pick<ProfileConnection, 'credential' | 'api_key_env'>) =>
  p.credential === 'api-key-env' && !ctx.processEnv[p.api_key_env ?? '']?.trim();

/** The one cheap request (list one job) before storing. A refusal is a ProfileCheckError: nothing is stored. */
async function checkSettings(ctx: Pick<Context, 'processEnv' | 'log' | 'signal'>, p: ProfileConnection, asked: boolean): Promise<SettingsCheck> {
  if (!asked) return { checked: false, reason: 'not asked' };
  if (p.credential === 'azure-cli' || p.credential === 'entra' || keyVariableUnset(ctx, p)) return { checked: false, reason: 'credential not at hand' };
  try {
    return { checked: true, result: await testLoadedProfile(ctx, p) };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw new ProfileCheckError(p.name, error);
  }
}

/**
 * A new profile's name: one word that is typed after --profile and in hints, so it needs no quotes
 * in any shell and cannot pass for a flag. Profiles named otherwise (the web app's) still work.
 */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!PROFILE_NAME.test(trimmed)) {
    throw new UsageError(`profile name ${quoted(trimmed)} is not allowed: use 1 to 64 letters, digits, -, _ and ., starting with a letter or digit`, {
      hint: 'e.g. octo profile add prod-eastus …',
    });
  }
  return trimmed;
}

export async function addProfile(
  ctx: Pick<Context, 'io' | 'interactive' | 'signal' | 'processEnv' | 'log' | 'db' | 'session'>,
  name: string,
  options: AddOptions,
): Promise<ProfileChange> {
  const profileName = checkName(name);
  const endpoint = (options.endpoint ?? ctx.processEnv.AZURE_OPENAI_ENDPOINT ?? (await askText(ctx, 'Endpoint', '--endpoint URL'))).trim();
  const { normalizeEndpoint } = await import('../sora/endpoint.js');
  checkText('--endpoint', endpoint, 500);
  normalizeEndpoint(endpoint); // validates; the profile keeps what the user gave (the web app's form too)
  const deployment = (options.deployment ?? (await askText(ctx, 'Deployment', '--deployment NAME'))).trim();
  if (!deployment) throw new UsageError('--deployment must not be empty');
  checkText('--deployment', deployment, 255);
  // --model names a sora-2 model, so it says the version too.
  const soraVersion = (options.soraVersion ??
    (options.model !== undefined
      ? 'sora-2'
      : await askChoice(ctx, 'Sora version', '--sora-version sora-1|sora-2', SORA_VERSIONS, soraVersionSuggested(deployment)))) as SoraVersion;
  if (!SORA_VERSIONS.includes(soraVersion)) throw new UsageError(`--sora-version must be sora-1 or sora-2 (got "${soraVersion}")`);
  const model = modelFrom(options.model, soraVersion) ?? null;
  const { credential, apiKeyEnv } = credentialFrom(options);
  // Only an `api-key` profile stores a key; the others store none ('' in the NOT NULL column).
  let apiKey = '';
  if (credential === 'api-key') {
    if (options.apiKeyStdin) apiKey = (await readStdin(ctx)).trim();
    else if (ctx.processEnv.AZURE_OPENAI_API_KEY?.trim()) apiKey = ctx.processEnv.AZURE_OPENAI_API_KEY.trim();
    else apiKey = (await askSecret(ctx, 'API key', '--api-key-stdin, --api-key-env NAME or --auth azure-cli (or set AZURE_OPENAI_API_KEY)')).trim();
    if (!apiKey) throw new UsageError('the API key is empty');
    checkText('the API key', apiKey, 500);
  }
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  const settings = { name: profileName, endpoint, deployment, sora_version: soraVersion, credential, api_key: apiKey, api_key_env: apiKeyEnv };
  const check = await checkSettings(ctx, { ...settings, ...(model ? { model } : {}) }, options.check !== false);
  const profile = await insertProfile(db, session, { ...settings, creates_per_minute: options.createsPerMinute, model });
  return { profile, check, unsetKeyVariable: keyVariableUnset(ctx, settings) ? apiKeyEnv : null };
}

/** `profile update NAME`: what is given replaces what is stored; checked like add. */
export async function updateProfile(
  ctx: Pick<Context, 'io' | 'interactive' | 'signal' | 'processEnv' | 'log' | 'db' | 'session' | 'globals' | 'setting'>,
  name: string,
  options: AddOptions,
): Promise<ProfileChange> {
  const current = await profileFor(ctx, name);
  const endpoint = options.endpoint?.trim() ?? current.endpoint;
  if (options.endpoint) {
    const { normalizeEndpoint } = await import('../sora/endpoint.js');
    normalizeEndpoint(endpoint);
  }
  const deployment = options.deployment?.trim() ?? current.deployment;
  if (!deployment) throw new UsageError('--deployment must not be empty');
  const soraVersion = (options.soraVersion ?? current.sora_version) as SoraVersion;
  if (!SORA_VERSIONS.includes(soraVersion)) throw new UsageError(`--sora-version must be sora-1 or sora-2 (got "${soraVersion}")`);
  // A new key makes it an api-key profile; otherwise the credential stays what it was.
  const apiKey = options.apiKeyStdin ? (await readStdin(ctx)).trim() : current.api_key;
  if (options.apiKeyStdin && !apiKey) throw new UsageError('the API key is empty');
  const credential = options.apiKeyStdin ? 'api-key' : current.credential;
  const apiKeyEnv = options.apiKeyStdin ? null : current.api_key_env;
  // The model stored stays unless --model changes it; a sora-1 profile stores none.
  const storedModel = current.model_guessed || current.sora_version !== 'sora-2' || soraVersion !== 'sora-2' ? null : (current.model as Sora2Model);
  const model = modelFrom(options.model, soraVersion) ?? storedModel;
  const reachesService = Boolean(options.endpoint || options.deployment || options.soraVersion || options.apiKeyStdin);
  // A new pace or model alone changes nothing the service could refuse.
  const paceOnly = !reachesService && (options.createsPerMinute !== undefined || options.model !== undefined);
  if (!paceOnly && !reachesService) {
    throw new UsageError('nothing to change', { hint: 'give --endpoint, --deployment, --sora-version, --model, --api-key-stdin or --creates-per-minute' });
  }
  const updated = { name: current.name, endpoint, deployment, sora_version: soraVersion, credential, api_key: apiKey, api_key_env: apiKeyEnv };
  // A new pace alone changes nothing the service could refuse: no check request for it.
  const check = await checkSettings(ctx, { ...updated, ...(model ? { model } : {}) }, options.check !== false && !paceOnly);
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  const profile = await changeProfile(db, session, { ...updated, creates_per_minute: options.createsPerMinute, model });
  return { profile, check, unsetKeyVariable: keyVariableUnset(ctx, updated) ? apiKeyEnv : null };
}

export async function useProfile(ctx: Pick<Context, 'db' | 'session'>, name: string): Promise<void> {
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  await switchProfile(db, session, name);
}

export async function profiles(ctx: Pick<Context, 'db' | 'session'>): Promise<Profile[]> {
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  return listProfiles(db, session);
}

export async function showProfile(ctx: Pick<Context, 'db' | 'session'>, name: string): Promise<Profile> {
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  return getProfile(db, session, name);
}

export async function removeProfile(ctx: Pick<Context, 'db' | 'session'>, name: string): Promise<{ wasActive: boolean }> {
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  return deleteProfile(db, session, name);
}

/** What removing a profile would strand: it must exist; its unfinished jobs are counted, in all and by status (queued, running). */
export async function profileRemoval(
  ctx: Pick<Context, 'db' | 'session'>,
  name: string,
): Promise<{ unfinished: number; byStatus: { status: string; n: number }[] }> {
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  const [, byStatus] = await Promise.all([getProfile(db, session, name), unfinishedJobsOn(db, session, name)]);
  return { unfinished: byStatus.reduce((sum, s) => sum + s.n, 0), byStatus };
}

export interface ProfileTestResult extends Readiness {
  name: string;
  base_url: string;
  sora_version: SoraVersion;
  ok: true;
  latency_ms: number;
}

/** One cheap authenticated call (list one job) with the profile's key; typed Sora errors pass through. */
export async function testProfile(
  ctx: Pick<Context, 'processEnv' | 'log' | 'signal' | 'db' | 'session' | 'globals' | 'setting'>,
  name?: string,
): Promise<ProfileTestResult> {
  return testLoadedProfile(ctx, await profileFor(ctx, name));
}

/** testProfile for a profile already read (doctor's). */
/** A profile not read from the database (add's settings) has its model from --model, else from the deployment's name. */
function guessModel(p: Pick<ProfileConnection, 'sora_version' | 'deployment'>): SoraModel {
  if (p.sora_version !== 'sora-2') return 'sora-1';
  return /sora-2-pro/i.test(p.deployment) ? 'sora-2-pro' : 'sora-2';
}

export async function testLoadedProfile(
  ctx: Pick<Context, 'processEnv' | 'log' | 'signal'> & Partial<Pick<Context, 'now'>>,
  profile: ProfileConnection,
): Promise<ProfileTestResult> {
  const { soraClientFor } = await import('../sora/index.js');
  const client = soraClientFor(profile, ctx.processEnv, {
    headersTimeoutMs: 15_000,
    onRequest: ctx.log.debugEnabled ? (info) => ctx.log.debug(`http ${JSON.stringify(info)}`) : undefined,
  });
  const started = performance.now();
  const now = ctx.now?.() ?? new Date();
  const model = profile.model ?? guessModel(profile);
  try {
    await client.list({ limit: 1, signal: ctx.signal });
  } catch (error) {
    // An endpoint form that names the deployment can be told it is missing or retired here.
    if (!(error instanceof SoraDeploymentUnavailableError)) throw error;
    const { message, hint } = explainUnavailable(error, { name: profile.name, model }, now);
    throw new NotFoundError(message, { hint, cause: error });
  }
  return {
    name: profile.name,
    base_url: client.baseUrl,
    sora_version: profile.sora_version,
    ok: true,
    latency_ms: Math.round(performance.now() - started),
    ...readiness(
      { deployment: profile.deployment, model, model_guessed: profile.model_guessed ?? (profile.model === undefined && profile.sora_version === 'sora-2') },
      now,
    ),
  };
}
