import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_KEY, expectNoSecretsInTranscript, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { fakeAz } from '../support/fake-az.js';
import { startAzurite, type Azurite } from './azurite.js';

/**
 * `generate --no-download` on a profile that stores no key, then `videos upload --all`: the upload
 * reads the service's copy with the profile's own credential (the key from its environment
 * variable, a token from `az`), not with the empty key the row holds. The emulator takes either
 * the key or the fake az's token, and refuses an empty key.
 */

const TOKEN = `eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJjb2duaXRpdmUifQ.fake-az-token-${Date.now()}`;
let world: World;
let azurite: Azurite;
let containerUrl: string;

beforeAll(async () => {
  [world, azurite] = await Promise.all([startWorld('pg', { bearerToken: TOKEN }), startAzurite()]);
  containerUrl = await azurite.createContainer('keyless');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await expectNoSecretsInTranscript();
  await azurite?.stop();
  await world?.close();
});

/** A sora-2 profile NAME storing no key ('' in the NOT NULL column, as `profile add` stores it). */
async function keylessProfile(user: TestUser, name: string, credential: 'api-key-env' | 'azure-cli', apiKeyEnv: string | null = null) {
  await world.db.query(
    `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version, is_active, credential, api_key_env, creates_per_minute)
     VALUES ($1, $2, $3, '', 'sora-2', 'sora-2', false, $4, $5, 0)`,
    [user.userId, name, world.emulator.url, credential, apiKeyEnv],
  );
}

/** What the service holds for a video, read with the key. */
async function serviceCopy(azureVideoId: string, variant: 'video' | 'thumbnail'): Promise<Buffer> {
  const query = variant === 'thumbnail' ? '?variant=thumbnail' : '';
  const res = await fetch(`${world.emulator.url}/openai/v1/videos/${azureVideoId}/content${query}`, { headers: { 'api-key': API_KEY } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** Generates without downloading on `profile`, uploads every video, and checks the blobs are the service's copy. */
async function generateThenUpload(user: TestUser, profile: string, env: Record<string, string>) {
  const made = await user.cli(['generate', `made on ${profile}, never downloaded`, '--profile', profile, '--no-download', '--json'], { env });
  expect(made.code, made.stderr).toBe(0);
  expect(made.json()).toMatchObject({ status: 'completed', files: [] });

  const withStorage = { ...env, OCTO_STORAGE_URL: containerUrl, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
  const up = await user.cli(['videos', 'upload', '--all', '--json'], { env: withStorage });
  expect(up.code, up.stderr).toBe(0);
  const [v] = await world.db.query<{ id: string; azure_video_id: string; generation_id: string; file_id: string }>(
    `SELECT id, azure_video_id, generation_id, file_id FROM video_metadata WHERE generation_id = $1`,
    [made.json().id],
  );
  expect(up.json()).toEqual([expect.objectContaining({ id: v!.id, status: 'uploaded', reason: null })]);
  const blob = `${user.userId}/${v!.generation_id}/${v!.azure_video_id}`;
  expect(v!.file_id).toBe(`${blob}.mp4`);
  const container = azurite.container('keyless');
  expect((await container.getBlobClient(`${blob}.mp4`).downloadToBuffer()).equals(await serviceCopy(v!.azure_video_id, 'video'))).toBe(true);
  expect((await container.getBlobClient(`${blob}.webp`).downloadToBuffer()).equals(await serviceCopy(v!.azure_video_id, 'thumbnail'))).toBe(true);
}

describe('videos upload from the service with a keyless profile', () => {
  it('--api-key-env: the key comes from the variable the profile names', async () => {
    const user = await makeUser(world);
    await keylessProfile(user, 'from-env', 'api-key-env', 'OCTO_TEST_SORA_KEY');
    await generateThenUpload(user, 'from-env', { ...user.env, OCTO_TEST_SORA_KEY: API_KEY });
  });

  it('--auth azure-cli: a Bearer token from `az` (a fake one on PATH)', async () => {
    const user = await makeUser(world);
    await keylessProfile(user, 'from-az', 'azure-cli');
    const az = fakeAz(TOKEN);
    // @azure/identity runs `az` from the process's PATH.
    vi.stubEnv('PATH', `${az.dir}:${process.env.PATH}`);
    await generateThenUpload(user, 'from-az', user.env);
    // generate's early check, then (cached in memory) create, polls and the upload's reads: one call.
    expect(az.calls()).toHaveLength(1);
  });
});
