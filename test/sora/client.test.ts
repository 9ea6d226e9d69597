import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { topLevelBoxes } from '../../src/emulator/media.js';
import {
  SoraAuthError,
  SoraJobFailedError,
  SoraModerationError,
  SoraNetworkError,
  SoraNotFoundError,
  SoraRateLimitError,
  SoraValidationError,
} from '../../src/sora/errors.js';
import { createSoraClient } from '../../src/sora/client.js';
import { pollUntilDone } from '../../src/sora/poll.js';
import type { Job } from '../../src/sora/types.js';
import { FAST, client, emulator, isMp4, tempDir } from './helpers.js';
import { firstRow } from '../support/defined.js';

const PNG = { data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), filename: 'ref.png', contentType: 'image/png' };

describe('sora-1 text-to-video through the client', () => {
  it('creates, polls through the status sequence, downloads every variant and thumbnail', async () => {
    // Long enough that a poll lands in an intermediate state even on a loaded machine.
    const em = await emulator({ apiKey: 'test-key', jobMs: 800 });
    const c = client(em, 'sora-1');
    const dir = await tempDir();
    const created = await c.create({ prompt: 'a cat playing piano', size: '480x480', seconds: 3, variants: 2 });
    expect(created).toMatchObject({
      soraVersion: 'sora-1',
      status: 'queued',
      rawStatus: 'queued',
      width: 480,
      height: 480,
      seconds: 3,
      variants: 2,
      prompt: 'a cat playing piano',
    });
    expect(created.id).toMatch(/^task_/);
    expect(c.requests[0]?.url).toContain('/openai/v1/video/generations/jobs?api-version=preview');
    expect(c.requests[0]?.url).not.toContain('test-key');

    const seen: string[] = [];
    const job = await pollUntilDone(c, created.id, { schedule: FAST, onUpdate: (j) => seen.push(j.rawStatus) });
    expect(job.status).toBe('succeeded');
    expect(seen.at(-1)).toBe('succeeded');
    expect(seen.some((s) => ['preprocessing', 'running', 'processing'].includes(s))).toBe(true);
    expect(job.assets).toHaveLength(2);
    expect(job.assets.map((a) => a.variant)).toEqual([0, 1]);
    expect(job.expiresAt).not.toBeNull();

    for (const a of job.assets) {
      const r = await c.download(a.id, { dest: join(dir, `${a.variant}.mp4`) });
      const bytes = await readFile(r.path);
      expect(isMp4(bytes)).toBe(true);
      expect(bytes.length).toBe(r.bytes);
      expect(topLevelBoxes(bytes).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    }
    const thumb = await c.download(firstRow(job.assets).id, { variant: 'thumbnail', dest: join(dir, 't.jpg') });
    const jpg = await readFile(thumb.path);
    expect([jpg[0], jpg[1], jpg.at(-2), jpg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    expect((await readdir(dir)).sort()).toEqual(['0.mp4', '1.mp4', 't.jpg']);
  });

  it('sends image-to-video as multipart inpaint_items + files', async () => {
    const em = await emulator();
    const c = client(em, 'sora-1');
    const created = await c.create({ prompt: 'animate this', size: '854x480', seconds: 2, image: PNG });
    expect(created.raw.inpaint_items).toEqual([
      { frame_index: 0, type: 'image', file_name: 'ref.png', crop_bounds: { left_fraction: 0, top_fraction: 0, right_fraction: 1, bottom_fraction: 1 } },
    ]);
    const job = await pollUntilDone(c, created.id, { schedule: FAST });
    expect(job.status).toBe('succeeded');
  });
});

describe('sora-2 through the client', () => {
  it('text-to-video: progress, completion, video and WEBP thumbnail', async () => {
    const em = await emulator({ apiKey: 'test-key' });
    const c = client(em, 'sora-2');
    const dir = await tempDir();
    const created = await c.create({ prompt: 'a lighthouse at dusk' });
    expect(created).toMatchObject({ soraVersion: 'sora-2', width: 720, height: 1280, seconds: 4, variants: 1 });
    expect(created.raw.seconds).toBe('4');
    expect(created.raw.size).toBe('720x1280');
    expect(c.requests[0]?.url).toBe(`${em.url}/openai/v1/videos`);
    const progress: number[] = [];
    const job = await pollUntilDone(c, created.id, { schedule: FAST, onUpdate: (j) => progress.push(j.progress ?? -1) });
    expect(job.status).toBe('succeeded');
    expect(job.rawStatus).toBe('completed');
    expect(progress.at(-1)).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(job.assets).toEqual([{ id: created.id, kind: 'video', variant: 0 }]);
    const video = await readFile((await c.download(created.id, { dest: join(dir, 'v.mp4') })).path);
    expect(isMp4(video)).toBe(true);
    const webp = await readFile((await c.download(created.id, { variant: 'thumbnail', dest: join(dir, 'v.webp') })).path);
    expect(webp.toString('latin1', 0, 4) + webp.toString('latin1', 8, 12)).toBe('RIFFWEBP');
  });

  it('image-to-video sends input_reference as multipart', async () => {
    const em = await emulator();
    const c = client(em, 'sora-2');
    const created = await c.create({ prompt: 'make it move', size: '1280x720', seconds: 8, image: PNG });
    expect(created.raw).toMatchObject({ size: '1280x720', seconds: '8' });
    expect((await pollUntilDone(c, created.id, { schedule: FAST })).status).toBe('succeeded');
    // The emulator refuses a reference that is not an image: proof that the part was parsed.
    await expect(c.create({ prompt: 'x', image: { ...PNG, contentType: 'text/plain' } })).rejects.toSatisfy(
      (e: unknown) => e instanceof SoraValidationError && e.param === 'input_reference',
    );
  });

  it('remixes a completed video', async () => {
    const em = await emulator();
    const c = client(em, 'sora-2');
    const src = await pollUntilDone(c, (await c.create({ prompt: 'a red car', size: '1280x720', seconds: 8 })).id, { schedule: FAST });
    const remix = await c.remix(src.id, 'make the car blue');
    expect(remix.id).not.toBe(src.id);
    expect(remix).toMatchObject({ remixedFrom: src.id, prompt: 'make the car blue', width: 1280, height: 720, seconds: 8 });
    const done = await pollUntilDone(c, remix.id, { schedule: FAST });
    expect(done.status).toBe('succeeded');
    expect(em.stats.remixes).toBe(1);
    expect(em.stats.creates['sora-2']).toBe(2);
  });

  it('remix is refused for sora-1 before any request', async () => {
    const em = await emulator();
    const c = client(em, 'sora-1');
    await expect(c.remix('task_x', 'again')).rejects.toBeInstanceOf(SoraValidationError);
    expect(em.stats.total).toBe(0);
  });
});

describe('faults end in success after retries or in the right typed error', () => {
  it('moderation of a job → SoraModerationError (exit 7) with the reason, on both families', async () => {
    const em = await emulator({ moderate: 'forbidden' });
    for (const v of ['sora-1', 'sora-2'] as const) {
      const c = client(em, v);
      const created = await c.create({ prompt: 'something Forbidden here' });
      const err = await pollUntilDone(c, created.id, { schedule: FAST }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SoraModerationError);
      expect((err as SoraModerationError).apiCode).toBe('input_moderation');
      expect((err as SoraModerationError).jobId).toBe(created.id);
      expect(exitCodeFor(err)).toBe(7);
    }
  });

  it('create-time content filter (both error envelopes) → SoraModerationError, no job created', async () => {
    const em = await emulator({ moderate: 'forbidden', moderationMode: 'create' });
    for (const v of ['sora-1', 'sora-2'] as const) {
      const err = await client(em, v)
        .create({ prompt: 'forbidden fruit' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SoraModerationError);
      expect((err as SoraModerationError).status).toBe(400);
    }
    expect(em.stats.creates).toEqual({ 'sora-1': 0, 'sora-2': 0 });
  });

  it('a failed job → SoraJobFailedError carrying the reason', async () => {
    const em = await emulator({ failRate: 1 });
    const c = client(em, 'sora-1');
    const created = await c.create({ prompt: 'fine prompt' });
    const err = await pollUntilDone(c, created.id, { schedule: FAST }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoraJobFailedError);
    expect((err as SoraJobFailedError).apiCode).toBe('internal_error');
    expect((err as Error).message).toContain('internal_error');
    const job = await c.get(created.id);
    expect(job).toMatchObject({ status: 'failed', failureCode: 'internal_error', assets: [] });
  });

  it('429 on create is retried after Retry-After, then succeeds; exactly the allowed creates happen', async () => {
    const em = await emulator({ rateLimit: 1, rateLimitWindowMs: 300 });
    const c = client(em, 'sora-2');
    await c.create({ prompt: 'one' });
    const t0 = Date.now();
    const second = await c.create({ prompt: 'two' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(second.prompt).toBe('two');
    expect(em.stats.responses['429']).toBeGreaterThanOrEqual(1);
    expect(em.stats.creates['sora-2']).toBe(2);
    expect(c.requests.filter((r) => r.status === 429).length).toBe(em.stats.responses['429']);
  });

  it('429 with a Retry-After beyond the limit → SoraRateLimitError with retryAfterMs', async () => {
    const em = await emulator({ rateLimit: 1, rateLimitWindowMs: 60_000 });
    const c = client(em, 'sora-1', { maxRetryAfterMs: 1000 });
    await c.create({ prompt: 'one' });
    const err = await c.create({ prompt: 'two' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoraRateLimitError);
    expect((err as SoraRateLimitError).retryAfterMs).toBeGreaterThan(59_000);
    expect(em.stats.creates['sora-1']).toBe(1);
  });

  it('500s during polling are retried until the job succeeds', async () => {
    const em = await emulator({ errorRate: 0.5, seed: 7 });
    const c = client(em, 'sora-2');
    const created = await c.create({ prompt: 'steady' });
    let retries = 0;
    const job = await pollUntilDone(c, created.id, { schedule: FAST, onRetry: () => retries++ });
    expect(job.status).toBe('succeeded');
    const errors = em.stats.responses['500'] ?? 0;
    expect(errors).toBeGreaterThan(0);
    expect(retries).toBeGreaterThanOrEqual(errors);
  });

  it('an early 404 after create is tolerated; a lasting one is not', async () => {
    const em = await emulator({ early404Ms: 100 });
    const c = client(em, 'sora-1');
    const created = await c.create({ prompt: 'patience' });
    const job = await pollUntilDone(c, created.id, { schedule: { ...FAST, initialDelayMs: 0 } });
    expect(job.status).toBe('succeeded');
    expect(em.stats.responses['404']).toBeGreaterThanOrEqual(1);

    const slow = await emulator({ early404Ms: 60_000 });
    const c2 = client(slow, 'sora-2');
    const id = (await c2.create({ prompt: 'never visible' })).id;
    await expect(pollUntilDone(c2, id, { schedule: { ...FAST, early404GraceMs: 100 } })).rejects.toBeInstanceOf(SoraNotFoundError);
  });

  it('invalid requests are refused before any request is sent', async () => {
    const em = await emulator();
    const s1 = client(em, 'sora-1');
    const s2 = client(em, 'sora-2');
    const cases: [Promise<Job>, RegExp][] = [
      [s1.create({ prompt: 'x', size: '1000x1000' }), /1000x1000.*allowed: 480x480/],
      [s1.create({ prompt: 'x', seconds: 21 }), /seconds 21.*1–20/],
      [s1.create({ prompt: 'x', size: '1920x1080', seconds: 15 }), /1080p allows 1–10/],
      [s1.create({ prompt: 'x', size: '1280x720', variants: 3 }), /variants 3.*allowed: 1–2/],
      [s1.create({ prompt: 'x', size: '1080x1920', variants: 2 }), /variants 2.*allowed: 1$/],
      [s2.create({ prompt: 'x', seconds: 5 }), /seconds 5.*allowed: 4, 8, 12/],
      [s2.create({ prompt: 'x', size: '1792x1024' }), /needs sora-2-pro/],
      [s2.create({ prompt: 'x', variants: 2 }), /variants 2/],
      [s2.create({ prompt: '  ' }), /prompt is empty/],
    ];
    for (const [p, message] of cases) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SoraValidationError);
      expect((err as Error).message).toMatch(message);
      expect(exitCodeFor(err)).toBe(2);
    }
    expect(em.stats.total).toBe(0);
    expect(s1.requests.length + s2.requests.length).toBe(0);
  });

  it('sora-2-pro sizes are accepted for a pro deployment', async () => {
    const em = await emulator();
    const c = client(em, 'sora-2', { deployment: 'sora-2-pro' });
    const job = await c.create({ prompt: 'tall', size: '1024x1792', seconds: 12 });
    expect(job).toMatchObject({ width: 1024, height: 1792, seconds: 12, model: 'sora-2-pro' });
  });

  it('a wrong API key → SoraAuthError (exit 1) whose message and hint carry no key', async () => {
    const em = await emulator({ apiKey: 'the-right-key' });
    const secret = 'wrong-SECRET-4711';
    for (const v of ['sora-1', 'sora-2'] as const) {
      const c = client(em, v, { apiKey: secret });
      const err = await c.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SoraAuthError);
      expect((err as SoraAuthError).status).toBe(401);
      expect((err as SoraAuthError).code).toBe('failure');
      expect((err as SoraAuthError).hint).toMatch(/API key/);
      const text = `${(err as Error).message} ${(err as SoraAuthError).hint} ${JSON.stringify(err)} ${(err as Error).stack}`;
      expect(text).not.toContain(secret);
      expect(text).not.toContain('the-right-key');
    }
    expect(em.stats.creates).toEqual({ 'sora-1': 0, 'sora-2': 0 });
  });

  it('a create to a closed port is retried (it provably never left) and ends in SoraNetworkError', async () => {
    const em = await emulator();
    const url = em.url;
    await em.close();
    const requests: string[] = [];
    const c = createSoraClient({
      endpoint: url,
      apiKey: 'k',
      deployment: 'sora-2',
      soraVersion: 'sora-2',
      createRetries: 2,
      sleep: async () => {},
      onRequest: (r) => requests.push(r.url),
    });
    const err = await c.create({ prompt: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoraNetworkError);
    expect((err as SoraNetworkError).sent).toBe(false);
    expect((err as SoraNetworkError).errno).toBe('ECONNREFUSED');
    expect(requests).toHaveLength(3);
  });
});

describe('list, get, delete, cancel', () => {
  it('sora-1: list with statuses filter and paging, delete answers 204 and the job is gone', async () => {
    const em = await emulator({ jobMs: 300 });
    const c = client(em, 'sora-1');
    const a = await c.create({ prompt: 'a', size: '480x480' });
    await pollUntilDone(c, a.id, { schedule: FAST });
    const b = await c.create({ prompt: 'b', size: '480x480' });
    const all = await c.list({ limit: 10 });
    expect(all.jobs.map((j) => j.id)).toEqual([b.id, a.id]);
    const done = await c.list({ statuses: ['succeeded'] });
    expect(done.jobs.map((j) => j.id)).toEqual([a.id]);
    const page = await c.list({ limit: 1 });
    expect(page).toMatchObject({ hasMore: true, lastId: b.id });
    expect((await c.list({ limit: 1, after: page.lastId! })).jobs.map((j) => j.id)).toEqual([a.id]);
    await c.delete(a.id);
    expect(em.stats.responses['204']).toBe(1);
    await expect(c.get(a.id)).rejects.toBeInstanceOf(SoraNotFoundError);
    await c.cancel(b.id);
    expect((await c.list()).jobs).toEqual([]);
  });

  it('sora-2: list order, delete only once finished', async () => {
    const em = await emulator({ jobMs: 300 });
    const c = client(em, 'sora-2');
    const a = await pollUntilDone(c, (await c.create({ prompt: 'a' })).id, { schedule: FAST });
    const b = await c.create({ prompt: 'b' });
    expect((await c.list({ order: 'asc' })).jobs.map((j) => j.id)).toEqual([a.id, b.id]);
    expect((await c.list()).jobs.map((j) => j.id)).toEqual([b.id, a.id]);
    await expect(c.delete(b.id)).rejects.toBeInstanceOf(SoraValidationError);
    await c.delete(a.id);
    await expect(c.get(a.id)).rejects.toBeInstanceOf(SoraNotFoundError);
  });
});

describe('downloads', () => {
  async function succeeded(em: Awaited<ReturnType<typeof emulator>>) {
    const c = client(em, 'sora-2');
    const job = await pollUntilDone(c, (await c.create({ prompt: 'dl' })).id, { schedule: FAST });
    return { c, job };
  }

  it('a transfer cut mid-body every time leaves no file behind', async () => {
    const em = await emulator({ cutDownloads: Infinity, videoBytes: 256 * 1024 });
    const { c, job } = await succeeded(em);
    const dir = await tempDir();
    const err = await c.download(job.id, { dest: join(dir, 'v.mp4'), retries: 2, retryDelayMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoraNetworkError);
    expect(em.stats.requests['GET /videos/{id}/content']).toBe(3);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a cut transfer is retried and the file is complete', async () => {
    const em = await emulator({ cutDownloads: 1, videoBytes: 300_000 });
    const { c, job } = await succeeded(em);
    const dir = await tempDir();
    const r = await c.download(job.id, { dest: join(dir, 'v.mp4'), retryDelayMs: 1 });
    expect(r.bytes).toBe(300_000);
    expect((await stat(r.path)).size).toBe(300_000);
    expect(await readdir(dir)).toEqual(['v.mp4']);
    expect(em.stats.requests['GET /videos/{id}/content']).toBe(2);
  });

  it('a 404 right after success is retried (bounded)', async () => {
    const em = await emulator({ contentEarly404Ms: 150 });
    const c = client(em, 'sora-1');
    const job = await pollUntilDone(c, (await c.create({ prompt: 'dl' })).id, { schedule: { ...FAST, maxDelayMs: 5 } });
    const dir = await tempDir();
    const r = await c.download(firstRow(job.assets).id, { dest: join(dir, 'v.mp4'), notFoundDelayMs: 40 });
    expect(isMp4(await readFile(r.path))).toBe(true);
    expect(em.stats.responses['404']).toBeGreaterThanOrEqual(1);

    const never = await emulator({ contentEarly404Ms: 60_000 });
    const c2 = client(never, 'sora-1');
    const job2 = await pollUntilDone(c2, (await c2.create({ prompt: 'dl' })).id, { schedule: FAST });
    const err = await c2.download(firstRow(job2.assets).id, { dest: join(dir, 'w.mp4'), notFoundRetries: 2, notFoundDelayMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoraNotFoundError);
    expect(never.stats.requests['GET /video/generations/{id}/content/video']).toBe(3);
    expect(await readdir(dir)).toEqual(['v.mp4']);
  });

  // Streaming grows RSS by a roughly fixed amount whatever the size (0–72 MB measured on Node 20–26,
  // most of it on the first download in the process); a body held in memory grows it by at least
  // its size. A 256 MB body makes the two far apart: the bound is half of it.
  it('streams a large body without holding it in memory', async () => {
    const size = 256 * 1024 * 1024;
    const em = await emulator({ videoBytes: size });
    const { c, job } = await succeeded(em);
    const dir = await tempDir();
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const r = await c.download(job.id, {
      dest: join(dir, 'big.mp4'),
      onProgress: () => {
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    expect(r.bytes).toBe(size);
    expect((await stat(r.path)).size).toBe(size);
    expect(peak - before).toBeLessThan(size / 2);
  });
});

describe('a create is never resent once it may have reached the server', () => {
  async function rawServer(handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) {
    const { createServer } = await import('node:http');
    let posts = 0;
    const server = createServer((req, res) => {
      if (req.method === 'POST') posts++;
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as import('node:net').AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      posts: () => posts,
      close: () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    };
  }

  it('a 500 on create is not retried', async () => {
    const s = await rawServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"internal_error","message":"oops"}}');
    });
    try {
      const c = createSoraClient({ endpoint: s.url, apiKey: 'k', deployment: 'sora-2', soraVersion: 'sora-2', sleep: async () => {} });
      const err = await c.create({ prompt: 'x' }).catch((e: unknown) => e);
      expect((err as { status?: number }).status).toBe(500);
      expect((err as Error).message).toContain('oops');
      expect(s.posts()).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('a connection reset after the request was sent is not retried', async () => {
    const s = await rawServer((req) => {
      req.on('end', () => req.socket.destroy());
      req.resume();
    });
    try {
      const c = createSoraClient({ endpoint: s.url, apiKey: 'k', deployment: 'sora', soraVersion: 'sora-1', sleep: async () => {} });
      const err = await c.create({ prompt: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SoraNetworkError);
      expect((err as SoraNetworkError).sent).toBe(true);
      expect(s.posts()).toBe(1);
    } finally {
      await s.close();
    }
  });
});
