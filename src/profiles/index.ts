import type { Column } from '../output/result.js';
import type { Deps } from '../cli/deps.js';
import { UsageError } from '../core/errors.js';
import { askChoice, askSecret, askText, readStdin } from '../auth/input.js';
import {
  addProfile as insertProfile,
  getProfile,
  listProfiles,
  loadProfile,
  removeProfile as deleteProfile,
  useProfile as switchProfile,
  type ProfileRow,
  type ResolvedProfile,
  type SoraVersion,
  unfinishedJobsOn,
} from '../db/profiles.js';

/** `octo profile …` as `(deps, options) → data`; the command files wire flags to these. */

export const SORA_VERSIONS: SoraVersion[] = ['sora-1', 'sora-2'];

export interface AddOptions {
  endpoint?: string;
  deployment?: string;
  soraVersion?: string;
  apiKeyStdin?: boolean;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 255) throw new UsageError('a profile name must have 1 to 255 characters');
  return trimmed;
}

export async function addProfile(deps: Deps, name: string, options: AddOptions): Promise<ProfileRow> {
  const profileName = checkName(name);
  const endpoint = (options.endpoint ?? deps.env.AZURE_OPENAI_ENDPOINT ?? (await askText(deps, 'Endpoint', '--endpoint URL'))).trim();
  const { normalizeEndpoint } = await import('../sora/endpoint.js');
  normalizeEndpoint(endpoint); // validates; the profile keeps what the user gave (the web app's form too)
  const deployment = (options.deployment ?? (await askText(deps, 'Deployment', '--deployment NAME'))).trim();
  if (!deployment) throw new UsageError('--deployment must not be empty');
  const soraVersion = (options.soraVersion ?? (await askChoice(deps, 'Sora version', '--sora-version sora-1|sora-2', SORA_VERSIONS))) as SoraVersion;
  if (!SORA_VERSIONS.includes(soraVersion)) throw new UsageError(`--sora-version must be sora-1 or sora-2 (got "${soraVersion}")`);
  let apiKey: string;
  if (options.apiKeyStdin) apiKey = (await readStdin(deps)).trim();
  else if (deps.env.AZURE_OPENAI_API_KEY?.trim()) apiKey = deps.env.AZURE_OPENAI_API_KEY.trim();
  else apiKey = (await askSecret(deps, 'API key', '--api-key-stdin (or set AZURE_OPENAI_API_KEY)')).trim();
  if (!apiKey) throw new UsageError('the API key is empty');
  const [session, db] = await Promise.all([deps.session(), deps.db()]);
  return insertProfile(db, session, { name: profileName, endpoint, apiKey, deployment, soraVersion });
}

export async function useProfile(deps: Deps, name: string): Promise<void> {
  const [session, db] = await Promise.all([deps.session(), deps.db()]);
  await switchProfile(db, session, name);
}

export async function profiles(deps: Deps): Promise<ProfileRow[]> {
  const [session, db] = await Promise.all([deps.session(), deps.db()]);
  return listProfiles(db, session);
}

export async function showProfile(deps: Deps, name: string): Promise<ProfileRow> {
  const [session, db] = await Promise.all([deps.session(), deps.db()]);
  return getProfile(db, session, name);
}

export async function removeProfile(deps: Deps, name: string): Promise<{ wasActive: boolean }> {
  const [session, db] = await Promise.all([deps.session(), deps.db()]);
  return deleteProfile(db, session, name);
}

/** What removing a profile would strand: it must exist; its unfinished jobs are counted. */
export async function profileRemoval(deps: Deps, name: string): Promise<{ unfinished: number }> {
  const [session, db] = await Promise.all([deps.session(), deps.db()]);
  const [, unfinished] = await Promise.all([getProfile(db, session, name), unfinishedJobsOn(db, session, name)]);
  return { unfinished };
}

export interface ProfileTestResult {
  name: string;
  base_url: string;
  sora_version: SoraVersion;
  ok: true;
  latency_ms: number;
}

/** One cheap authenticated call (list one job) with the profile's key; typed Sora errors pass through. */
export async function testProfile(deps: Deps, name?: string): Promise<ProfileTestResult> {
  return testLoadedProfile(deps, await loadProfile(deps, name));
}

/** testProfile for a profile already read (doctor's). */
export async function testLoadedProfile(deps: Deps, profile: ResolvedProfile): Promise<ProfileTestResult> {
  const { createSoraClient } = await import('../sora/index.js');
  const client = createSoraClient({
    endpoint: profile.endpoint,
    apiKey: profile.apiKey,
    deployment: profile.deployment,
    soraVersion: profile.soraVersion,
    headersTimeoutMs: 15_000,
    onRequest: deps.log.debugEnabled ? (info) => deps.log.debug(`http ${JSON.stringify(info)}`) : undefined,
  });
  const started = performance.now();
  await client.list({ limit: 1, signal: deps.signal });
  return {
    name: profile.name,
    base_url: client.baseUrl,
    sora_version: profile.soraVersion,
    ok: true,
    latency_ms: Math.round(performance.now() - started),
  };
}

export const PROFILE_COLUMNS: Column<ProfileJson>[] = [
  { key: 'is_active', header: 'ACTIVE', format: (value) => (value ? '*' : '') },
  { key: 'name', header: 'NAME' },
  { key: 'endpoint', header: 'ENDPOINT', flex: true },
  { key: 'deployment', header: 'DEPLOYMENT' },
  { key: 'sora_version', header: 'SORA' },
  { key: 'api_key_hint', header: 'API KEY' },
];

/** The JSON contract: `{name, endpoint, deployment, sora_version, is_active, api_key_hint}`. */
export type ProfileJson = ReturnType<typeof profileJson>;

export function profileJson(row: ProfileRow) {
  return {
    name: row.name,
    endpoint: row.endpoint,
    deployment: row.deployment,
    sora_version: row.sora_version,
    is_active: row.is_active,
    api_key_hint: row.api_key_hint,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
