import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, startWorld, type World } from '../generate/helpers.js';
import { runCli } from '../support/run-cli.js';
import { startAzurite, type Azurite } from '../storage/azurite.js';

/**
 * The built binary is killed with SIGKILL after the video is downloaded and while its upload is
 * in flight (a proxy in front of Azurite holds the upload's connection); `jobs wait --all` or
 * `--resume` must then finish: the blob uploaded, the playable URL recorded, the row completed.
 */

const root = join(import.meta.dirname, '..', '..');
let world: World;
let azurite: Azurite;
let proxy: Proxy;

interface Proxy {
  port: number;
  /** `hold`: accept and keep connections without forwarding; `forward`: pass them to Azurite. */
  mode: 'hold' | 'forward';
  held: Socket[];
  /** Resolves at the next connection seen in `hold` mode. */
  nextHeld(): Promise<void>;
  close(): Promise<void>;
}

async function startProxy(target: number): Promise<Proxy> {
  let waiter: (() => void) | undefined;
  const sockets = new Set<Socket>();
  const p: Proxy = {
    port: 0,
    mode: 'forward',
    held: [],
    nextHeld: () => new Promise<void>((resolve) => (waiter = resolve)),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (p.mode === 'hold') {
      p.held.push(socket);
      socket.resume();
      waiter?.();
      waiter = undefined;
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  p.port = (server.address() as { port: number }).port;
  return p;
}

beforeAll(async () => {
  [world, azurite] = await Promise.all([startWorld('pg'), startAzurite()]);
  await azurite.createContainer('crash');
  proxy = await startProxy(azurite.port);
});
afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
  await world?.close();
});

describe('kill -9 between download and upload', () => {
  it.each(['jobs-wait', 'resume'] as const)('is finished by %s: blob uploaded, playable URL recorded, row completed', async (finish) => {
    const user = await makeUser(world);
    const env = {
      ...user.env,
      OCTO_POLL_MS: '20',
      // Generation rows' leases (when claimed per row) lapse fast after the kill.
      OCTO_LEASE_MS: '500',
      OCTO_STORAGE_URL: `http://127.0.0.1:${proxy.port}/devstoreaccount1/crash`,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    };
    const prompt = `killed while uploading (${finish})`;
    writeFileSync(join(user.out, 'batch.txt'), `${prompt}\n`);
    const args = finish === 'resume' ? ['generate', '--file', 'batch.txt', '--json'] : ['generate', prompt, '--json'];

    proxy.mode = 'hold';
    const uploading = proxy.nextHeld();
    const child = spawn(process.execPath, [join(root, 'bin', 'octo.js'), ...args], { cwd: user.out, env });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    await Promise.race([uploading, exited.then(() => Promise.reject(new Error(`octo ended before uploading: ${stderr}`)))]);

    // The upload has started: the file is downloaded, the row is not completed, the blob is claimed.
    const [gen] = await world.db.query<any>(`SELECT id, status, job_id FROM video_generations WHERE user_id = $1`, [user.userId]);
    expect(gen.status).toBe('running');
    const uploads = await world.db.query<any>(`SELECT blob_name, state, owner, source FROM octo_uploads WHERE user_id = $1 ORDER BY kind DESC`, [user.userId]);
    expect(uploads.map((u: any) => [u.state, u.owner?.split(':')[1]])).toEqual([
      ['pending', String(child.pid)],
      ['pending', String(child.pid)],
    ]);
    const videoBlob = uploads.find((u: any) => u.blob_name.endsWith('.mp4'));
    expect(existsSync(videoBlob.source)).toBe(true);

    child.kill('SIGKILL');
    const killed = await exited;
    expect(killed.signal).toBe('SIGKILL');
    expect(await azurite.container('crash').getBlobClient(videoBlob.blob_name).exists()).toBe(false);
    const [{ n }] = await world.db.query<any>(`SELECT count(*)::int AS n FROM video_metadata WHERE user_id = $1`, [user.userId]);
    expect(n).toBe(0);

    proxy.mode = 'forward';
    for (const s of proxy.held.splice(0)) s.destroy();
    // The killed process still holds the blobs' leases (a minute); a run on the same host sees it is dead and takes over at once.
    await new Promise((r) => setTimeout(r, 700));
    const r =
      finish === 'resume'
        ? await runCli(['generate', '--file', 'batch.txt', '--resume', '--json'], { env, cwd: user.out })
        : await runCli(['jobs', 'wait', '--all', '--json'], { env, cwd: user.out });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().map((x: any) => x.status)).toEqual(['completed']);

    const [video] = await world.db.query<any>(`SELECT url, file_id, thumbnail_url FROM video_metadata WHERE generation_id = $1`, [gen.id]);
    expect(video.file_id).toBe(videoBlob.blob_name);
    expect(new URL(video.url).searchParams.get('sp')).toBe('r');
    const res = await fetch(video.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(videoBlob.source))).toBe(true);
    expect((await fetch(video.thumbnail_url)).status).toBe(200);
    const after = await world.db.query<any>(`SELECT state, owner FROM octo_uploads WHERE user_id = $1`, [user.userId]);
    expect(after.every((u: any) => u.state === 'uploaded' && u.owner === null)).toBe(true);
  });
});
