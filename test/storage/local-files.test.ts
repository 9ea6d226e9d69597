import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupDir, expectNoSecretsInTranscript, makeUser, startWorld, type World } from '../generate/helpers.js';
import { startAzurite, type Azurite } from './azurite.js';

/**
 * `videos upload` reads a local path from the (shared) database only when it is a file octo
 * downloaded (the `videos delete --files` rule); anything else is never sent to the container.
 */

let world: World;
let azurite: Azurite;
let secretDir: string;

beforeAll(async () => {
  [world, azurite] = await Promise.all([startWorld('pg'), startAzurite()]);
  secretDir = mkdtempSync(join(tmpdir(), 'octo-secret-'));
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await azurite?.stop();
  await world?.close();
  if (secretDir) cleanupDir(secretDir);
});

describe('videos upload and local paths from the database', () => {
  it('never uploads a file outside a marked download folder; falls back to the service copy, else skips the video', async () => {
    const user = await makeUser(world);
    const containerUrl = await azurite.createContainer(`paths${Date.now().toString(36)}`, 'blob');
    const container = azurite.container(new URL(containerUrl).pathname.split('/').pop()!);
    // Files of this user, but in a folder octo never downloaded to (no .octo-downloads marker):
    // one with a name octo could give, one as an SSH key is named.
    const secret = Buffer.from(`-----BEGIN OPENSSH PRIVATE KEY----- ${Math.random().toString(36)}\n`);
    const secretMp4 = join(secretDir, 'id_rsa.mp4');
    const secretKey = join(secretDir, 'id_rsa');
    writeFileSync(secretMp4, secret);
    writeFileSync(secretKey, secret);

    const made: any[] = [];
    for (const prompt of ['normal', 'expired', 'alive', 'claimed']) made.push((await user.cli(['generate', prompt, '--json'])).json());
    const rows = await world.db.query<any>(`SELECT id, generation_id, azure_video_id FROM video_metadata WHERE user_id = $1`, [user.userId]);
    const row = (i: number) => rows.find((r: any) => r.generation_id === made[i].id);
    const blob = (i: number) => `${user.userId}/${made[i].id}/${row(i).azure_video_id}.mp4`;
    const [normal, expired, alive, claimed] = [0, 1, 2, 3].map(row);

    // Another user of the database points rows at the secret:
    // - the service's copy is gone: nothing may be uploaded
    await world.db.query(`UPDATE video_metadata SET url = $2, expires_at = NOW() - interval '1 day' WHERE id = $1`, [expired.id, secretMp4]);
    // - the service still has it: its copy is uploaded instead
    await world.db.query(`UPDATE video_metadata SET url = $2 WHERE id = $1`, [alive.id, secretKey]);
    // - a pending upload row names the secret as its source
    await world.db.query(`UPDATE video_metadata SET url = $2 WHERE id = $1`, [claimed.id, join(secretDir, 'gone.mp4')]);
    await world.db.query(`INSERT INTO octo_uploads (user_id, blob_name, container_url, generation_id, kind, source) VALUES ($1, $2, $3, $4, 'video', $5)`, [
      user.userId,
      blob(3),
      containerUrl,
      made[3].id,
      secretMp4,
    ]);

    const env = { ...user.env, OCTO_STORAGE_URL: containerUrl, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
    const r = await user.cli(['videos', 'upload', '--all', '--json'], { env });
    expect(r.code, r.stderr).toBe(1);
    const status = new Map(r.json().map((x: any) => [x.id, x]));
    expect((status.get(normal.id) as any).status).toBe('uploaded');
    expect((status.get(alive.id) as any).status).toBe('uploaded');
    expect((status.get(claimed.id) as any).status).toBe('uploaded');
    expect((status.get(expired.id) as any).status).toBe('failed');
    expect((status.get(expired.id) as any).reason).toContain('not a file octo may read');
    expect(r.stderr).toContain(`video ${expired.id}: ${secretMp4} is not a file octo may read`);

    expect(await container.getBlobClient(blob(1)).exists()).toBe(false);
    // The normal download went up from its file; the others from the service (the same bytes).
    for (const i of [0, 2, 3]) {
      const got = await container.getBlobClient(blob(i)).downloadToBuffer();
      expect(got.equals(readFileSync(made[i].files[0])), blob(i)).toBe(true);
    }
    // The secret's bytes are nowhere in the container.
    let blobs = 0;
    for await (const b of container.listBlobsFlat()) {
      blobs++;
      const got = await container.getBlobClient(b.name).downloadToBuffer();
      expect(got.includes(secret), b.name).toBe(false);
    }
    expect(blobs).toBe(6); // video and thumbnail of normal, alive and claimed
  });
});
