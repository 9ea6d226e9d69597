import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecretsInTranscript, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { DEV_KEY, startAzurite, type Azurite } from './azurite.js';

/** `videos upload`, `videos link`, `doctor` and `config` with storage, against Azurite. */

let world: World;
let azurite: Azurite;
let publicUrl: string;
let privateUrl: string;

beforeAll(async () => {
  [world, azurite] = await Promise.all([startWorld('pg'), startAzurite()]);
  publicUrl = await azurite.createContainer('gallery', 'blob');
  privateUrl = await azurite.createContainer('vault');
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await azurite?.stop();
  await world?.close();
});

const withStorage = (user: TestUser, url: string) => ({ ...user.env, OCTO_STORAGE_URL: url, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });

async function anonymous(url: string) {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('videos upload', () => {
  it('--all uploads the videos recorded before storage was set (local file, or the service copy), then has nothing left', async () => {
    const user = await makeUser(world);
    const local = (await user.cli(['generate', 'made before storage', '--json'])).json();
    const remote = (await user.cli(['generate', 'never downloaded', '--profile', 's2', '--no-download', '--json'])).json();
    const before = await world.db.query<any>(`SELECT id, url FROM video_metadata WHERE user_id = $1 ORDER BY created_at`, [user.userId]);
    expect(before[0].url).toBe(local.files[0]);

    const env = withStorage(user, privateUrl);
    expect((await user.cli(['videos', 'upload'], { env })).code).toBe(2);
    const r = await user.cli(['videos', 'upload', '--all', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().map((x: any) => [x.id, x.status])).toEqual(before.map((v: any) => [v.id, 'uploaded']));
    const after = await world.db.query<any>(
      `SELECT id, url, file_id, thumbnail_url, generation_id, azure_video_id FROM video_metadata WHERE user_id = $1 ORDER BY created_at`,
      [user.userId],
    );
    for (const v of after) {
      expect(v.file_id).toBe(`${user.userId}/${v.generation_id}/${v.azure_video_id}.mp4`);
      expect(new URL(v.url).searchParams.get('sp')).toBe('r');
      expect((await anonymous(v.url)).status).toBe(200);
      expect((await anonymous(v.thumbnail_url)).status).toBe(200);
    }
    expect((await anonymous(after[0].url)).bytes.equals(readFileSync(local.files[0]))).toBe(true);
    expect(remote.files).toEqual([]);

    const again = await user.cli(['videos', 'upload', '--all', '--json'], { env });
    expect(again.json()).toEqual([]);
    const one = await user.cli(['videos', 'upload', after[0].id, '--json'], { env });
    expect(one.json().status).toBe('already uploaded');
    expect((await user.cli(['videos', 'upload', '00000000-0000-4000-8000-000000000000'], { env })).code).toBe(3);
    expect((await user.cli(['videos', 'upload', '--all'])).code).toBe(2);
  });

  it('never uploads a blob another process is handling', async () => {
    const user = await makeUser(world);
    const made = (await user.cli(['generate', 'contested', '--json'])).json();
    const [v] = await world.db.query<any>(`SELECT id, azure_video_id FROM video_metadata WHERE generation_id = $1`, [made.id]);
    const blob = `${user.userId}/${made.id}/${v.azure_video_id}.mp4`;
    // Another (live) process on another host holds the lease on this blob.
    await world.db.query<any>(
      `INSERT INTO octo_uploads (user_id, blob_name, container_url, generation_id, kind, owner, lease_until) VALUES ($1, $2, $3, $4, 'video', 'other-host:4242:abcd', NOW() + interval '1 minute')`,
      [user.userId, blob, publicUrl, made.id],
    );
    const env = withStorage(user, publicUrl);
    const r = await user.cli(['videos', 'upload', v.id], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('another octo process (pid 4242 on other-host)');
    expect(await azurite.container('gallery').getBlobClient(blob).exists()).toBe(false);
    const [row] = await world.db.query<any>(`SELECT url FROM video_metadata WHERE id = $1`, [v.id]);
    expect(row.url).toBe(made.files[0]);
    // Once that lease has lapsed, the upload goes through.
    await world.db.query<any>(`UPDATE octo_uploads SET lease_until = NOW() - interval '1 second' WHERE blob_name = $1`, [blob]);
    const ok = await user.cli(['videos', 'upload', v.id, '--json'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json().url).toBe(`${publicUrl}/${blob}`);
    expect((await anonymous(ok.json().url)).bytes.equals(readFileSync(made.files[0]))).toBe(true);
  });
});

describe('videos link', () => {
  it('signs and records a fresh read-only link (private); says what to do for a video not in storage', async () => {
    const user = await makeUser(world);
    const env = withStorage(user, privateUrl);
    const made = (await user.cli(['generate', 'linked', '--json'], { env })).json();
    const [v] = await world.db.query<any>(`SELECT id, url FROM video_metadata WHERE generation_id = $1`, [made.id]);
    // Pretend the recorded link expired: the web app would fail on it.
    await world.db.query<any>(`UPDATE video_metadata SET url = 'expired', thumbnail_url = NULL WHERE id = $1`, [v.id]);
    const r = await user.cli(['videos', 'link', v.id, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const link = r.json();
    expect(new URL(link.url).searchParams.get('sp')).toBe('r');
    expect(new Date(link.expires_at).getTime()).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);
    const [row] = await world.db.query<any>(`SELECT url, thumbnail_url FROM video_metadata WHERE id = $1`, [v.id]);
    expect(row.url).toBe(link.url);
    expect((await anonymous(row.url)).bytes.equals(readFileSync(made.files[0]))).toBe(true);
    expect((await anonymous(row.thumbnail_url)).status).toBe(200);
    // Human output: the URL alone on stdout, so `$(octo videos link ID)` works.
    const plain = await user.cli(['videos', 'link', v.id], { env });
    expect(plain.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/vault\/.*\?.*sp=r/);

    const local = (await user.cli(['generate', 'local only', '--json'])).json();
    const [lv] = await world.db.query<any>(`SELECT id FROM video_metadata WHERE generation_id = $1`, [local.id]);
    const refused = await user.cli(['videos', 'link', lv.id], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`octo videos upload ${lv.id}`);
  });
});

describe('doctor and config', () => {
  it('doctor writes a blob and plays its link; a missing container or a closed port fails', async () => {
    const user = await makeUser(world);
    const ok = await user.cli(['doctor', '--json'], { env: withStorage(user, privateUrl) });
    const storage = ok.json().find((c: any) => c.check === 'storage');
    expect(storage.status, storage.detail).toBe('ok');
    expect(storage.detail).toContain('read-only link (valid 7 days) played without credentials');
    const pub = (await user.cli(['doctor', '--json'], { env: withStorage(user, publicUrl) })).json().find((c: any) => c.check === 'storage');
    expect(pub.detail).toContain('plain link (public-read container)');
    // The probe blob is gone.
    const left = [];
    for await (const b of azurite.container('vault').listBlobsFlat({ prefix: '.octo-doctor/' })) left.push(b.name);
    expect(left).toEqual([]);

    const missing = await user.cli(['doctor', '--json'], { env: withStorage(user, `${azurite.url}/no-such-container`) });
    expect(missing.code).toBe(1);
    expect(missing.json().find((c: any) => c.check === 'storage')).toMatchObject({ status: 'fail', detail: expect.stringContaining('does not exist') });
    const closed = await user.cli(['doctor', '--json'], { env: withStorage(user, 'http://127.0.0.1:9/devstoreaccount1/x') });
    expect(closed.json().find((c: any) => c.check === 'storage').status).toBe('fail');
    // Without storage, no storage line at all.
    expect((await user.cli(['doctor', '--json'])).json().some((c: any) => c.check === 'storage')).toBe(false);
    expect(JSON.stringify([ok.json(), missing.json()])).not.toContain(DEV_KEY);
  });

  it('config set storage-url checks the URL; get and list hide a SAS', async () => {
    const env = cliEnv();
    expect((await runCli(['config', 'set', 'storage-url', 'ftp://x/y'], { env })).code).toBe(2);
    expect((await runCli(['config', 'set', 'storage-url', 'https://acct.blob.core.windows.net/'], { env })).code).toBe(2);
    expect((await runCli(['config', 'set', 'storage-link-days', '0'], { env })).code).toBe(2);
    const withSas = 'https://acct.blob.core.windows.net/videos?sv=2024-01-01&sp=rcw&sig=SECRETSIGNATURE';
    const set = await runCli(['config', 'set', 'storage-url', withSas], { env });
    expect(set.code, set.stderr).toBe(0);
    const got = await runCli(['config', 'get', 'storage-url', '--json'], { env });
    expect(got.json().value).toBe('https://acct.blob.core.windows.net/videos?…');
    const list = await runCli(['config', 'list', '--json'], { env });
    expect(list.stdout).not.toContain('SECRETSIGNATURE');
    expect(got.stdout + got.stderr + set.stdout + set.stderr).not.toContain('SECRETSIGNATURE');
  });
});
