import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, expectNoSecretsInTranscript, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { DEV_ACCOUNT, DEV_KEY, startAzurite, type Azurite } from './azurite.js';

/**
 * A generated video lands in Azure Blob Storage (Azurite) and video_metadata.url plays without
 * credentials: plain for a public-read container, with a read-only SAS for a private one.
 */

let world: World;
let azurite: Azurite;
let publicUrl: string;
let privateUrl: string;
const VIDEO_BYTES = 9 * 1024 * 1024 + 123;

beforeAll(async () => {
  [world, azurite] = await Promise.all([startWorld('pg', { videoBytes: VIDEO_BYTES }), startAzurite()]);
  publicUrl = await azurite.createContainer('public-videos', 'blob');
  privateUrl = await azurite.createContainer('private-videos');
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await azurite?.stop();
  await world?.close();
});

type VideoRow = { id: string; url: string; thumbnail_url: string | null; file_id: string; azure_video_id: string; generation_id: string };

async function videoOf(generationId: string): Promise<VideoRow> {
  const [row] = await world.db.query<VideoRow>(
    `SELECT id, url, thumbnail_url, file_id, azure_video_id, generation_id FROM video_metadata WHERE generation_id = $1`,
    [generationId],
  );
  return row!;
}

/** GET with no credentials at all, as a browser in the web app does. */
async function anonymous(url: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

function storageUser(user: TestUser, url: string, extra: Record<string, string> = {}): TestUser {
  const env = { ...user.env, OCTO_STORAGE_URL: url, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, ...extra };
  return { ...user, env, cli: (argv, o = {}) => user.cli(argv, { env, ...o }) };
}

describe('generate uploads to storage', () => {
  it('public container: url is the plain blob URL and answers 200 with exactly the video, block by block', async () => {
    const user = storageUser(await makeUser(world), publicUrl);
    const r = await user.cli(['generate', 'a public boat', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json();
    const video = await videoOf(result.id);
    expect(video.file_id).toBe(`${user.userId}/${result.id}/${video.azure_video_id}.mp4`);
    expect(video.url).toBe(`${publicUrl}/${video.file_id}`);
    // The local copy is still where generate said.
    expect(result.files).toEqual([join(user.out, 'octo-videos', `${video.azure_video_id}.mp4`)]);
    const local = readFileSync(result.files[0]);
    expect(local.length).toBe(VIDEO_BYTES);
    const got = await anonymous(video.url);
    expect(got.status).toBe(200);
    expect(got.type).toBe('video/mp4');
    expect(got.bytes.equals(local)).toBe(true);
    // Uploaded as several blocks, not one whole-file PUT.
    const blocks = await azurite.container('public-videos').getBlockBlobClient(video.file_id).getBlockList('committed');
    expect(blocks.committedBlocks?.length).toBeGreaterThan(1);
    const thumb = await anonymous(video.thumbnail_url!);
    expect(thumb.status).toBe(200);
    expect(thumb.type).toBe('image/jpeg');
    expect(thumb.bytes.equals(readFileSync(join(user.out, 'octo-videos', `${video.azure_video_id}.jpg`)))).toBe(true);
    const [up] = await world.db.query<any>(`SELECT state, bytes, owner FROM octo_uploads WHERE blob_name = $1`, [video.file_id]);
    expect(up).toMatchObject({ state: 'uploaded', owner: null });
    expect(Number(up.bytes)).toBe(VIDEO_BYTES);
  });

  it('private container: url carries a read-only SAS valid storage-link-days; without it the blob is refused', async () => {
    const user = storageUser(await makeUser(world, { active: 's2' }), privateUrl);
    expect((await user.cli(['config', 'set', 'storage-link-days', '3'])).code).toBe(0);
    const before = Date.now();
    const r = await user.cli(['generate', 'a private boat', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const video = await videoOf(r.json().id);
    const link = new URL(video.url);
    expect(`${link.origin}${link.pathname}`).toBe(`${privateUrl}/${video.file_id}`);
    expect(link.searchParams.get('sp')).toBe('r');
    expect(link.searchParams.get('sr')).toBe('b');
    const expiry = new Date(link.searchParams.get('se')!).getTime();
    expect(Math.abs(expiry - (before + 3 * 86_400_000))).toBeLessThan(120_000);
    const got = await anonymous(video.url);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(readFileSync(r.json().files[0]))).toBe(true);
    expect((await anonymous(`${privateUrl}/${video.file_id}`)).status).toBeGreaterThanOrEqual(400);
    // The link cannot write or delete.
    expect((await fetch(video.url, { method: 'PUT', body: 'x', headers: { 'x-ms-blob-type': 'BlockBlob' } })).status).toBe(403);
    expect((await fetch(video.url, { method: 'DELETE' })).status).toBe(403);
    const thumb = await anonymous(video.thumbnail_url!);
    expect(thumb.status).toBe(200);
    expect(thumb.type).toBe('image/webp');
  });

  it('--no-download: service to blob, nothing on the local disk', async () => {
    const user = storageUser(await makeUser(world, { active: 's2' }), privateUrl);
    const r = await user.cli(['generate', 'straight to storage', '--no-download', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().files).toEqual([]);
    expect(readdirSync(user.out)).toEqual([]);
    const video = await videoOf(r.json().id);
    const fromService = Buffer.from(
      await (await fetch(`${world.emulator.url}/openai/v1/videos/${video.azure_video_id}/content`, { headers: { 'api-key': API_KEY } })).arrayBuffer(),
    );
    expect(fromService.length).toBe(VIDEO_BYTES);
    const got = await anonymous(video.url);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(fromService)).toBe(true);
  });

  it('--debug times each storage request, with no SAS or key in sight', async () => {
    const user = storageUser(await makeUser(world), privateUrl);
    const r = await user.cli(['generate', 'debugged upload', '--debug', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/storage PUT http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/private-videos\/[^ ?]+\.mp4 → 201 [\d.]+ ms/);
    expect(r.stderr).not.toContain('sig=');
    expect(r.stderr).not.toContain(DEV_KEY);
  });

  it('a SAS in storage-url is used to write, and never becomes the recorded link', async () => {
    const key = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
    const sas = generateBlobSASQueryParameters(
      { containerName: 'public-videos', permissions: ContainerSASPermissions.parse('rcw'), expiresOn: new Date(Date.now() + 3_600_000) },
      key,
    ).toString();
    // No connection string: the SAS is the credential.
    const base = await makeUser(world);
    const user = { ...base, env: { ...base.env, OCTO_STORAGE_URL: `${publicUrl}?${sas}` } };
    const r = await base.cli(['generate', 'written with a sas', '--json'], { env: user.env });
    expect(r.code, r.stderr).toBe(0);
    const video = await videoOf(r.json().id);
    expect(video.url).toBe(`${publicUrl}/${video.file_id}`);
    const sig = new URLSearchParams(sas).get('sig')!;
    const all = await world.db.query<any>(`SELECT url, thumbnail_url FROM video_metadata WHERE user_id = $1`, [base.userId]);
    expect(JSON.stringify(all)).not.toContain(sig);
    expect(r.stdout + r.stderr).not.toContain(sig);
    // A private container cannot be linked with only a SAS: said plainly, the row stays unfinished for jobs wait.
    const privateSas = generateBlobSASQueryParameters(
      { containerName: 'private-videos', permissions: ContainerSASPermissions.parse('rcw'), expiresOn: new Date(Date.now() + 3_600_000) },
      key,
    ).toString();
    const refused = await base.cli(['generate', 'private with a sas', '--json'], { env: { ...base.env, OCTO_STORAGE_URL: `${privateUrl}?${privateSas}` } });
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('a SAS cannot sign the read-only links');
    expect(refused.stdout + refused.stderr).not.toContain(new URLSearchParams(privateSas).get('sig')!);
    const [row] = await world.db.query<any>(`SELECT status FROM video_generations WHERE user_id = $1 AND prompt = 'private with a sas'`, [base.userId]);
    expect(row.status).toBe('running');
  });
});
