import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import { mp4Body, topLevelBoxes } from '../../src/emulator/media.js';

const KEY = 'contract-key';
const open: Emulator[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function start(o: EmulatorOptions = {}) {
  const em = await startEmulator({ apiKey: KEY, jobMs: 100, early404Ms: 0, ...o });
  open.push(em);
  return em;
}

async function call(em: Emulator, method: string, path: string, body?: unknown, headers: Record<string, string> = { 'api-key': KEY }) {
  const res = await fetch(`${em.url}/openai/v1${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, buf };
}

/** A settable clock: jobs move only when the test says so. */
function clock(start = 1_760_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const sora1 = { model: 'sora', prompt: 'a cat', width: 480, height: 480, n_seconds: 5, n_variants: 1 };

describe('sora-1 jobs API', () => {
  it('creates a job with the documented shape and walks queued → preprocessing → running → processing → succeeded', async () => {
    const c = clock();
    const em = await start({ now: c.now, jobMs: 1000 });
    const created = await call(em, 'POST', '/video/generations/jobs?api-version=preview', sora1);
    expect(created.status).toBe(200);
    expect(created.headers.get('apim-request-id')).toBeTruthy();
    expect(created.json).toMatchObject({
      object: 'video.generation.job',
      status: 'queued',
      created_at: Math.floor(c.now() / 1000),
      finished_at: null,
      expires_at: null,
      generations: [],
      prompt: 'a cat',
      model: 'sora',
      n_variants: 1,
      n_seconds: 5,
      height: 480,
      width: 480,
      failure_reason: null,
    });
    expect(created.json.id).toMatch(/^task_[0-9a-z]{26}$/);
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await call(em, 'GET', `/video/generations/jobs/${created.json.id}`);
      if (seen.at(-1) !== r.json.status) seen.push(r.json.status);
      c.advance(50);
    }
    expect(seen).toEqual(['queued', 'preprocessing', 'running', 'processing', 'succeeded']);
    const done = await call(em, 'GET', `/video/generations/jobs/${created.json.id}?api-version=preview`);
    expect(done.json.expires_at).toBe(done.json.created_at + 86400);
    expect(done.json.generations).toHaveLength(1);
    expect(done.json.generations[0]).toMatchObject({
      object: 'video.generation',
      job_id: created.json.id,
      width: 480,
      height: 480,
      n_seconds: 5,
      prompt: 'a cat',
    });
    const gen = await call(em, 'GET', `/video/generations/${done.json.generations[0].id}`);
    expect(gen.json.id).toBe(done.json.generations[0].id);
  });

  it('runs at most maxConcurrent (2) jobs at once; the others stay queued until a slot frees', async () => {
    const c = clock();
    const em = await start({ now: c.now, jobMs: 1000 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await call(em, 'POST', '/video/generations/jobs', sora1)).json.id);
    let maxActive = 0;
    const startedOrder: string[] = [];
    for (let step = 0; step < 80; step++) {
      const list = (await call(em, 'GET', '/video/generations/jobs?limit=10')).json.data as { id: string; status: string }[];
      const active = list.filter((j) => !['queued', 'succeeded', 'failed', 'cancelled'].includes(j.status));
      for (const j of active) if (!startedOrder.includes(j.id)) startedOrder.push(j.id);
      maxActive = Math.max(maxActive, active.length);
      c.advance(50);
    }
    expect(maxActive).toBe(2);
    expect(em.stats.maxRunningSora1).toBe(2);
    expect(startedOrder).toEqual(ids);
    const final = (await call(em, 'GET', '/video/generations/jobs?statuses=succeeded')).json.data;
    expect(final).toHaveLength(4);
  });

  it('deletes with 204 and no body; then 404 in the bare envelope', async () => {
    const em = await start();
    const id = (await call(em, 'POST', '/video/generations/jobs', sora1)).json.id;
    const del = await call(em, 'DELETE', `/video/generations/jobs/${id}`);
    expect(del.status).toBe(204);
    expect(del.buf.length).toBe(0);
    const gone = await call(em, 'GET', `/video/generations/jobs/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.error).toBeUndefined();
    expect(gone.json).toMatchObject({ code: 'NotFound', message: expect.stringContaining(id) });
  });

  it('validates sizes, seconds and variants with 400 in the bare envelope, and accepts numeric strings', async () => {
    const em = await start();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...sora1, width: 1000, height: 1000 }, 'width'],
      [{ ...sora1, n_seconds: 21 }, 'n_seconds'],
      [{ ...sora1, width: 1920, height: 1080, n_seconds: 12 }, 'n_seconds'],
      [{ ...sora1, width: 1280, height: 720, n_variants: 3 }, 'n_variants'],
      [{ ...sora1, prompt: undefined }, 'prompt'],
    ];
    for (const [body, param] of cases) {
      const r = await call(em, 'POST', '/video/generations/jobs', body);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: expect.any(String), message: expect.any(String), param });
      expect(r.json.error).toBeUndefined();
    }
    const ok = await call(em, 'POST', '/video/generations/jobs', { ...sora1, width: '854', height: '480', n_seconds: '12', n_variants: '4' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ width: 854, n_seconds: 12, n_variants: 4 });
    expect(em.stats.creates['sora-1']).toBe(1);
  });

  it('checks multipart inpaint_items against the uploaded files', async () => {
    const em = await start();
    const form = (fileName: string) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(sora1)) f.append(k, String(v));
      f.append('inpaint_items', JSON.stringify([{ frame_index: 0, type: 'image', file_name: fileName }]));
      f.append('files', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'a.png');
      return f;
    };
    const post = (f: FormData) => fetch(`${em.url}/openai/v1/video/generations/jobs`, { method: 'POST', headers: { 'api-key': KEY }, body: f });
    const ok = await post(form('a.png'));
    expect(ok.status).toBe(200);
    expect((await ok.json()).inpaint_items[0].file_name).toBe('a.png');
    const bad = await post(form('b.png'));
    expect(bad.status).toBe(400);
    expect((await bad.json()).param).toBe('inpaint_items');
  });

  it('serves MP4 (GET and HEAD) and JPEG content with the documented headers', async () => {
    const c = clock();
    const em = await start({ now: c.now, videoBytes: 10_000 });
    const id = (await call(em, 'POST', '/video/generations/jobs', sora1)).json.id;
    c.advance(1000);
    const gen = (await call(em, 'GET', `/video/generations/jobs/${id}`)).json.generations[0].id;
    const video = await call(em, 'GET', `/video/generations/${gen}/content/video?quality=high`);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(video.headers.get('content-length')).toBe('10000');
    expect(video.headers.get('accept-ranges')).toBe('bytes');
    expect(video.headers.get('last-modified')).toBeTruthy();
    expect(video.buf.length).toBe(10_000);
    expect(topLevelBoxes(video.buf)).toEqual([
      { type: 'ftyp', size: expect.any(Number) },
      { type: 'moov', size: expect.any(Number) },
      { type: 'mdat', size: expect.any(Number) },
    ]);
    expect(topLevelBoxes(video.buf).reduce((s, b) => s + b.size, 0)).toBe(10_000);
    const head = await call(em, 'HEAD', `/video/generations/${gen}/content/video`);
    expect(head.headers.get('content-length')).toBe('10000');
    expect(head.buf.length).toBe(0);
    const thumb = await call(em, 'GET', `/video/generations/${gen}/content/thumbnail`);
    expect(thumb.headers.get('content-type')).toBe('image/jpg');
    expect([thumb.buf[0], thumb.buf[1], thumb.buf[2]]).toEqual([0xff, 0xd8, 0xff]);
    expect(em.stats.requests['GET /video/generations/{id}/content/video']).toBe(1);
    expect(em.stats.requests['HEAD /video/generations/{id}/content/video']).toBe(1);
  });

  it('sends no null where the jobs API has none: no param or inner_error on an error, no first_id/last_id on an empty list', async () => {
    const em = await start({ moderate: 'banana', moderationMode: 'create' });
    const gone = await call(em, 'GET', '/video/generations/jobs/task_missing');
    expect(gone.status).toBe(404);
    expect(Object.values(gone.json)).not.toContain(null);
    expect(gone.json).not.toHaveProperty('param');
    expect(gone.json).not.toHaveProperty('inner_error');
    const bad = await call(em, 'POST', '/video/generations/jobs', { ...sora1, n_seconds: 21 });
    expect(bad.json).toMatchObject({ param: 'n_seconds' });
    expect(bad.json).not.toHaveProperty('inner_error');
    const filtered = await call(em, 'POST', '/video/generations/jobs', { ...sora1, prompt: 'a banana' });
    expect(filtered.status).toBe(400);
    expect(filtered.json.inner_error).toEqual({ code: 'ResponsibleAIPolicyViolation', error_details: 'prompt' });
    const empty = await call(em, 'GET', '/video/generations/jobs?limit=10');
    expect(empty.json).toEqual({ object: 'list', data: [], has_more: false });
    const unknownCursor = await call(em, 'GET', '/video/generations/jobs?limit=10&after=task_never');
    expect(unknownCursor.json).toEqual({ object: 'list', data: [], has_more: false });
    // The client reads both shapes: absent ids fall back to the page's own, absent fields are undefined.
    const { createSoraClient } = await import('../../src/sora/client.js');
    const client = createSoraClient({ endpoint: em.url, apiKey: KEY, deployment: 'sora', soraVersion: 'sora-1' });
    expect(await client.list()).toMatchObject({ jobs: [], hasMore: false, firstId: null, lastId: null });
    await expect(client.get('task_missing')).rejects.toMatchObject({ status: 404, apiCode: 'NotFound' });
    await expect(client.create({ prompt: 'a banana', size: '480x480', seconds: 5 })).rejects.toMatchObject({ apiCode: 'content_filter' });
  });

  it('fails a job whose prompt contains the moderated word with failure_reason input_moderation', async () => {
    const c = clock();
    const em = await start({ now: c.now, moderate: 'banana' });
    const id = (await call(em, 'POST', '/video/generations/jobs', { ...sora1, prompt: 'a BANANA split' })).json.id;
    c.advance(1000);
    const r = await call(em, 'GET', `/video/generations/jobs/${id}`);
    expect(r.json).toMatchObject({ status: 'failed', failure_reason: 'input_moderation', generations: [] });
  });
});

describe('sora-2 videos API', () => {
  const body = { model: 'sora-2', prompt: 'a dog', size: '1280x720', seconds: '8' };

  it('creates a video with expires_at = created_at + 86400 and reports progress to completion', async () => {
    const c = clock();
    const em = await start({ now: c.now, jobMs: 1000 });
    const created = await call(em, 'POST', '/videos', body);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      object: 'video',
      model: 'sora-2',
      status: 'queued',
      progress: 0,
      seconds: '8',
      size: '1280x720',
      remixed_from_video_id: null,
      error: null,
    });
    expect(created.json.id).toMatch(/^video_[0-9a-f]{32}$/);
    expect(created.json.expires_at).toBe(created.json.created_at + 86400);
    const seen: [string, number][] = [];
    for (let i = 0; i < 25; i++) {
      const r = await call(em, 'GET', `/videos/${created.json.id}`);
      seen.push([r.json.status, r.json.progress]);
      c.advance(50);
    }
    const statuses = [...new Set(seen.map(([s]) => s))];
    expect(statuses).toEqual(['queued', 'in_progress', 'completed']);
    const progress = seen.map(([, p]) => p);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(seen.at(-1)).toEqual(['completed', 100]);
  });

  it('validates in the wrapped envelope; seconds must be a string; n is refused', async () => {
    const em = await start();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...body, size: '1792x1024' }, 'size', 'invalid_value'],
      [{ ...body, seconds: '5' }, 'seconds', 'invalid_value'],
      [{ ...body, seconds: 8 }, 'seconds', 'invalid_type'],
      [{ ...body, n: 2 }, 'n', 'unknown_parameter'],
      [{ model: 'sora-2' }, 'prompt', 'missing_required_parameter'],
    ];
    for (const [b, param, code] of cases) {
      const r = await call(em, 'POST', '/videos', b);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ param, code, message: expect.any(String) });
    }
    expect((await call(em, 'POST', '/videos', { ...body, model: 'sora-2-pro', size: '1792x1024' })).status).toBe(200);
    expect(em.stats.creates['sora-2']).toBe(1);
  });

  it('deletes only finished videos, answering video.deleted; serves mp4 and webp; remixes', async () => {
    const c = clock();
    const em = await start({ now: c.now });
    const id = (await call(em, 'POST', '/videos', body)).json.id;
    expect((await call(em, 'GET', `/videos/${id}/content`)).status).toBe(404);
    const early = await call(em, 'DELETE', `/videos/${id}`);
    expect(early.status).toBe(400);
    expect(early.json.error.message).toMatch(/still/);
    expect((await call(em, 'POST', `/videos/${id}/remix`, { prompt: 'x' })).status).toBe(400);
    c.advance(1000);
    const mp4 = await call(em, 'GET', `/videos/${id}/content?variant=video`);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    expect(mp4.buf.toString('latin1', 4, 8)).toBe('ftyp');
    const webp = await call(em, 'GET', `/videos/${id}/content?variant=thumbnail`);
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect(webp.buf.toString('latin1', 0, 4)).toBe('RIFF');
    expect((await call(em, 'GET', `/videos/${id}/content?variant=poster`)).status).toBe(400);
    const remix = await call(em, 'POST', `/videos/${id}/remix`, { prompt: 'bluer' });
    expect(remix.json).toMatchObject({ remixed_from_video_id: id, prompt: 'bluer', size: '1280x720', seconds: '8', status: 'queued' });
    const del = await call(em, 'DELETE', `/videos/${id}`);
    expect(del.status).toBe(200);
    expect(del.json).toEqual({ id, deleted: true, object: 'video.deleted' });
    expect((await call(em, 'GET', `/videos/${id}`)).status).toBe(404);
  });

  it('lists with limit, after and order', async () => {
    const c = clock();
    const em = await start({ now: c.now });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await call(em, 'POST', '/videos', body)).json.id);
      c.advance(1000);
    }
    const page = (await call(em, 'GET', '/videos?limit=2')).json;
    expect(page).toMatchObject({ object: 'list', has_more: true, first_id: ids[2], last_id: ids[1] });
    expect(page.data.map((v: { id: string }) => v.id)).toEqual([ids[2], ids[1]]);
    const rest = (await call(em, 'GET', `/videos?limit=2&after=${ids[1]}`)).json;
    expect(rest).toMatchObject({ has_more: false, data: [{ id: ids[0] }] });
    expect((await call(em, 'GET', '/videos?order=asc')).json.data.map((v: { id: string }) => v.id)).toEqual(ids);
  });
});

describe('auth, faults and stats', () => {
  it('accepts api-key or Bearer, with or without api-version; 401 otherwise', async () => {
    const em = await start();
    expect((await call(em, 'GET', '/videos', undefined, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    expect((await call(em, 'GET', '/videos?api-version=preview')).status).toBe(200);
    const no = await call(em, 'GET', '/videos', undefined, {});
    expect(no.status).toBe(401);
    expect(no.json.error).toMatchObject({ code: '401', message: expect.stringMatching(/Access denied/) });
    expect((await call(em, 'POST', '/video/generations/jobs', sora1, { 'api-key': 'nope' })).status).toBe(401);
    expect(em.stats.creates['sora-1']).toBe(0);
    const open = await startEmulator({});
    try {
      expect((await call(open, 'GET', '/videos', undefined, { 'api-key': 'anything' })).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('answers 429 with Retry-After and retry-after-ms past the rate limit, per family', async () => {
    const c = clock();
    const em = await start({ now: c.now, rateLimit: 2 });
    expect((await call(em, 'POST', '/videos', { prompt: 'a' })).status).toBe(200);
    c.advance(10_000);
    expect((await call(em, 'POST', '/videos', { prompt: 'b' })).status).toBe(200);
    const limited = await call(em, 'POST', '/videos', { prompt: 'c' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('50');
    expect(limited.headers.get('retry-after-ms')).toBe('50000');
    expect(limited.json.error.code).toBe('429');
    // sora-1 has its own window.
    expect((await call(em, 'POST', '/video/generations/jobs', sora1)).status).toBe(200);
    c.advance(50_000);
    expect((await call(em, 'POST', '/videos', { prompt: 'd' })).status).toBe(200);
    expect(em.stats.creates).toEqual({ 'sora-1': 1, 'sora-2': 3 });
  });

  it('answers 404 to a GET of a just-created job for early404Ms', async () => {
    const c = clock();
    const em = await start({ now: c.now, early404Ms: 300 });
    const id = (await call(em, 'POST', '/videos', { prompt: 'a' })).json.id;
    expect((await call(em, 'GET', `/videos/${id}`)).status).toBe(404);
    c.advance(300);
    expect((await call(em, 'GET', `/videos/${id}`)).status).toBe(200);
  });

  it('injects 500s at errorRate, reproducibly for a seed; fails jobs at failRate', async () => {
    const run = async (seed: number) => {
      const em = await start({ errorRate: 0.5, seed });
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push((await call(em, 'GET', '/videos')).status);
      return codes;
    };
    const a = await run(3);
    expect(a).toEqual(await run(3));
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(3);

    const c = clock();
    const em = await start({ now: c.now, failRate: 1 });
    const id = (await call(em, 'POST', '/videos', { prompt: 'a' })).json.id;
    c.advance(1000);
    expect((await call(em, 'GET', `/videos/${id}`)).json).toMatchObject({ status: 'failed', error: { code: 'internal_error' } });
  });

  it('counts creates and requests by route, also at GET /_emulator/stats', async () => {
    const em = await start();
    await call(em, 'POST', '/videos', { prompt: 'a' });
    await call(em, 'POST', '/videos', { prompt: 'a', seconds: '5' });
    await call(em, 'GET', '/videos');
    const stats = await (await fetch(`${em.url}/_emulator/stats`)).json();
    expect(stats).toMatchObject({ creates: { 'sora-1': 0, 'sora-2': 1 }, requests: { 'POST /videos': 2, 'GET /videos': 1 }, responses: { 200: 2, 400: 1 } });
    expect(em.stats.total).toBe(4);
    em.resetStats();
    expect(em.stats.total).toBe(0);
  });

  it('calls onCreate once per created job, before answering', async () => {
    const seen: { id: string; family: string; prompt: string }[] = [];
    const em = await start({ onCreate: (j) => seen.push(j) });
    const a = (await call(em, 'POST', '/videos', { prompt: 'one' })).json;
    await call(em, 'POST', '/videos', { prompt: 'bad', seconds: '5' });
    const b = (await call(em, 'POST', '/video/generations/jobs', sora1)).json;
    expect(seen).toEqual([
      { id: a.id, family: 'sora-2', prompt: 'one' },
      { id: b.id, family: 'sora-1', prompt: 'a cat' },
    ]);
  });

  it('makes jobs and content vanish after expireAfterMs', async () => {
    const c = clock();
    const em = await start({ now: c.now, expireAfterMs: 5000 });
    const id = (await call(em, 'POST', '/videos', { prompt: 'a' })).json;
    expect(id.expires_at).toBe(id.created_at + 5);
    c.advance(5000);
    expect((await call(em, 'GET', `/videos/${id.id}/content`)).status).toBe(404);
  });
});

describe('media', () => {
  it('builds a large MP4 chunk-wise with consistent box sizes (64-bit mdat past 4 GiB)', () => {
    const body = mp4Body({ width: 1280, height: 720, seconds: 4 }, 5 * 1024 ** 3);
    const it = body.chunks(1024 * 1024);
    const head = it.next().value as Buffer;
    const boxes = topLevelBoxes(Buffer.concat([head, Buffer.alloc(16)]));
    expect(boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    expect(boxes.reduce((s, b) => s + b.size, 0)).toBe(body.size);
    const second = it.next().value as Buffer;
    expect(second.length).toBe(1024 * 1024);
    expect(it.next().value).toBe(second); // the same padding buffer is reused, not reallocated
  });
});
