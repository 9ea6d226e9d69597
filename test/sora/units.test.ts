import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadToFile } from '../../src/sora/download.js';
import { normalizeEndpoint } from '../../src/sora/endpoint.js';
import { SoraServerError } from '../../src/sora/errors.js';
import { parseErrorBody, retryAfterMs, type RawResponse } from '../../src/sora/http.js';
import { normalizeSora1Job, normalizeSora2Video } from '../../src/sora/normalize.js';
import { DEFAULTS, validateRequest } from '../../src/sora/validate.js';

describe('normalizeEndpoint', () => {
  it.each([
    ['https://x.openai.azure.com', 'https://x.openai.azure.com/openai/v1'],
    ['https://x.openai.azure.com/', 'https://x.openai.azure.com/openai/v1'],
    ['https://x.openai.azure.com/openai/v1/video/generations/jobs?api-version=preview', 'https://x.openai.azure.com/openai/v1'],
    ['https://x.cognitiveservices.azure.com/openai/v1/videos', 'https://x.cognitiveservices.azure.com/openai/v1'],
    ['https://x.openai.azure.com/openai/v1/', 'https://x.openai.azure.com/openai/v1'],
    ['  http://127.0.0.1:8787  ', 'http://127.0.0.1:8787/openai/v1'],
    ['https://proxy.example/azure/openai/v1/videos?api-version=preview', 'https://proxy.example/azure/openai/v1'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEndpoint(input)).toBe(expected);
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => normalizeEndpoint('x.openai.azure.com')).toThrow(/invalid endpoint/);
    expect(() => normalizeEndpoint('ftp://x')).toThrow(/scheme/);
  });
});

describe('validateRequest', () => {
  it('fills the documented defaults', () => {
    expect(validateRequest('sora-2', {})).toEqual({ size: '720x1280', width: 720, height: 1280, seconds: 4, variants: 1 });
    expect(validateRequest('sora-1', {})).toEqual({ size: '1280x720', width: 1280, height: 720, seconds: 5, variants: 1 });
    expect(DEFAULTS['sora-2'].size).toBe('720x1280');
  });

  it('accepts all nine sora-1 sizes, numeric strings, and the variant limits per size', () => {
    for (const size of ['480x480', '480x854', '854x480', '720x720', '720x1280', '1280x720', '1080x1080', '1080x1920', '1920x1080']) {
      expect(validateRequest('sora-1', { size }).size).toBe(size);
    }
    expect(validateRequest('sora-1', { width: 480, height: 854, seconds: '20', variants: '4' })).toMatchObject({ seconds: 20, variants: 4 });
    expect(validateRequest('sora-1', { size: '1920x1080', seconds: 10 }).seconds).toBe(10);
    expect(() => validateRequest('sora-1', { size: '854x480', variants: 5 })).toThrow(/allowed: 1–4/);
    expect(() => validateRequest('sora-1', { size: '1280x720', seconds: 0 })).toThrow(/seconds 0/);
    expect(() => validateRequest('sora-1', { size: 'big' })).toThrow(/invalid size "big"/);
    expect(() => validateRequest('sora-1', { seconds: 2.5 })).toThrow(/whole number/);
    // Named as given, never as the rounded double it would parse to.
    expect(() => validateRequest('sora-2', { variants: '99999999999999999999' })).toThrow('invalid variants "99999999999999999999": far too large');
    expect(() => validateRequest('sora-1', { width: 480 })).toThrow(/both width and height/);
  });

  it('knows the sora-2 sizes and seconds, and the pro-only sizes', () => {
    expect(validateRequest('sora-2', { size: '1280x720', seconds: '12' }).seconds).toBe(12);
    expect(() => validateRequest('sora-2', { size: '480x480' })).toThrow(/allowed: 720x1280, 1280x720$/);
    expect(validateRequest('sora-2', { size: '1792x1024', model: 'my-sora-2-pro-deployment' }).size).toBe('1792x1024');
    expect(() => validateRequest('sora-2', { seconds: 20 })).toThrow(/seconds 20 is not supported by sora-2; allowed: 4, 8, 12/);
  });
});

describe('error envelopes and Retry-After', () => {
  it('reads the wrapped and the bare envelope, with inner codes', () => {
    expect(parseErrorBody('{"error":{"code":"content_filter","message":"m","param":"prompt","innererror":{"code":"ResponsibleAIPolicyViolation"}}}')).toEqual({
      code: 'content_filter',
      message: 'm',
      param: 'prompt',
      innerCode: 'ResponsibleAIPolicyViolation',
    });
    expect(parseErrorBody('{"code":"BadRequest","message":"bad","param":null,"inner_error":{"code":"ResponsibleAIPolicyViolation"}}')).toEqual({
      code: 'BadRequest',
      message: 'bad',
      param: undefined,
      innerCode: 'ResponsibleAIPolicyViolation',
    });
    expect(parseErrorBody('<html>Bad Gateway</html>')).toEqual({ message: '<html>Bad Gateway</html>' });
    expect(parseErrorBody('')).toEqual({});
  });

  it('prefers retry-after-ms, reads seconds and dates, ignores -1/0/garbage', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' })).toBe(1500);
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4000)).toBe(6000);
    expect(retryAfterMs({ 'retry-after-ms': '-1', 'retry-after': '0' })).toBeNull();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeNull();
    expect(retryAfterMs({})).toBeNull();
  });
});

describe('normalised jobs', () => {
  it('maps the sora-1 vocabulary, numeric strings and generations', () => {
    const job = normalizeSora1Job({
      object: 'video.generation.job',
      id: 'task_1',
      status: 'processing',
      created_at: 1748469875,
      finished_at: null,
      expires_at: null,
      generations: [],
      prompt: 'p',
      model: 'sora',
      n_variants: '2',
      n_seconds: '5',
      height: 480,
      width: '854',
      failure_reason: null,
    });
    expect(job).toMatchObject({
      status: 'running',
      rawStatus: 'processing',
      seconds: 5,
      variants: 2,
      width: 854,
      createdAt: '2025-05-28T22:04:35.000Z',
      assets: [],
      progress: null,
    });
    expect(normalizeSora1Job({ id: 't', status: 'preprocessing' }).status).toBe('running');
    expect(normalizeSora1Job({ id: 't', status: 'cancelled' }).status).toBe('cancelled');
    const failed = normalizeSora1Job({ id: 't', status: 'failed', failure_reason: 'output_moderation' });
    expect(failed).toMatchObject({ status: 'failed', failureCode: 'output_moderation', failureReason: 'output_moderation' });
    const ok = normalizeSora1Job({ id: 't', status: 'succeeded', generations: [{ id: 'gen_a' }, { id: 'gen_b' }] });
    expect(ok.assets).toEqual([
      { id: 'gen_a', kind: 'video', variant: 0 },
      { id: 'gen_b', kind: 'video', variant: 1 },
    ]);
  });

  it('maps the sora-2 vocabulary, size and error', () => {
    const v = normalizeSora2Video({
      id: 'video_1',
      object: 'video',
      model: 'sora-2',
      status: 'in_progress',
      progress: 33,
      created_at: 1760627796,
      expires_at: 1760714196,
      prompt: 'p',
      seconds: '8',
      size: '1280x720',
      remixed_from_video_id: null,
      error: null,
    });
    expect(v).toMatchObject({ status: 'running', progress: 33, seconds: 8, width: 1280, height: 720, assets: [], expiresAt: '2025-10-17T15:16:36.000Z' });
    const f = normalizeSora2Video({ id: 'video_2', status: 'failed', error: { code: 'input_moderation', message: 'flagged' } });
    expect(f).toMatchObject({ status: 'failed', failureCode: 'input_moderation', failureReason: 'flagged' });
    expect(normalizeSora2Video({ id: 'video_3', status: 'some_new_state' }).status).toBe('running');
  });
});

describe('downloadToFile', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const response = (body: Buffer, headers: Record<string, string>): RawResponse => {
    const stream = Readable.from([body]) as unknown as RawResponse['body'];
    return { status: 200, headers, body: stream };
  };

  it('rejects a body shorter than its content-length and leaves nothing behind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'octo-dl-'));
    let calls = 0;
    const err = await downloadToFile(
      async () => {
        calls++;
        return response(Buffer.alloc(10), { 'content-length': '20' });
      },
      'test',
      { dest: join(dir, 'x.mp4'), retries: 1, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SoraServerError);
    expect((err as Error).message).toMatch(/got 10 of 20 bytes/);
    expect(calls).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes the body and reports its size and type', async () => {
    dir = await mkdtemp(join(tmpdir(), 'octo-dl-'));
    const r = await downloadToFile(async () => response(Buffer.from('hello'), { 'content-length': '5', 'content-type': 'video/mp4' }), 'test', {
      dest: join(dir, 'sub', 'x.mp4'),
    });
    expect(r).toEqual({ path: join(dir, 'sub', 'x.mp4'), bytes: 5, contentType: 'video/mp4' });
  });
});
