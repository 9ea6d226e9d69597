import { until } from '../support/until.js';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';

const open: Emulator[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function start(o: EmulatorOptions) {
  const em = await startEmulator({ jobMs: 100, early404Ms: 0, ...o });
  open.push(em);
  return em;
}

const get = (url: string, headers: Record<string, string>) => fetch(`${url}/openai/v1/videos`, { headers });

describe('bearer tokens', () => {
  it('with only a bearer token configured: that token passes as Bearer; other tokens and any api-key are 401', async () => {
    const em = await start({ bearerToken: 'entra-token-1' });
    expect((await get(em.url, { authorization: 'Bearer entra-token-1' })).status).toBe(200);
    expect((await get(em.url, { authorization: 'bearer entra-token-1' })).status).toBe(200);
    const wrong = await get(em.url, { authorization: 'Bearer entra-token-2' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect((await wrong.json()).error).toMatchObject({ code: '401', message: expect.stringMatching(/Access token is missing, invalid/) });
    const key = await get(em.url, { 'api-key': 'some-key' });
    expect(key.status).toBe(401);
    expect((await key.json()).error.message).toMatch(/invalid subscription key/);
    expect((await get(em.url, {})).status).toBe(401);
    expect(em.stats.auth).toEqual({ 'api-key': 0, bearer: 2, none: 0 });
    expect(em.stats.requests['GET (unauthorized)']).toBe(3);
  });

  it('with a key and tokens: the key as api-key or as Bearer (the OpenAI SDK), and each token as Bearer', async () => {
    const em = await start({ apiKey: 'the-key', bearerToken: ['tok-a', 'tok-b'] });
    const create = (headers: Record<string, string>) =>
      fetch(`${em.url}/openai/v1/videos`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'p' }),
      });
    expect((await create({ 'api-key': 'the-key' })).status).toBe(200);
    expect((await create({ authorization: 'Bearer the-key' })).status).toBe(200);
    expect((await create({ authorization: 'Bearer tok-a' })).status).toBe(200);
    expect((await create({ authorization: 'Bearer tok-b' })).status).toBe(200);
    expect((await create({ 'api-key': 'tok-a' })).status).toBe(401); // a token is not a key
    expect((await create({ authorization: 'Bearer nope' })).status).toBe(401);
    expect((await create({ 'api-key': 'wrong', authorization: 'Bearer tok-a' })).status).toBe(200);
    expect(em.stats.creates['sora-2']).toBe(5);
    expect(em.stats.auth).toEqual({ 'api-key': 1, bearer: 4, none: 0 });
  });

  it('with nothing configured, anything passes and is counted by scheme', async () => {
    const em = await start({});
    expect((await get(em.url, {})).status).toBe(200);
    expect((await get(em.url, { 'api-key': 'x' })).status).toBe(200);
    expect((await get(em.url, { authorization: 'Bearer y' })).status).toBe(200);
    expect(em.stats.auth).toEqual({ 'api-key': 1, bearer: 1, none: 1 });
  });

  it('`octo emulator --bearer-token` accepts that token, and the --api-key as api-key or Bearer', async () => {
    const { run } = await import('../../src/cli/main.js');
    let out = '';
    const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
    const ac = new AbortController();
    const exit = run(
      ['emulator', '--port', '0', '--api-key', 'k', '--bearer-token', 'entra-tok'],
      { stdin: new PassThrough(), stdout, stderr: new PassThrough() },
      { signal: ac.signal, env: {} },
    );
    await until(() => out.includes('\n'), 30_000, 'the endpoint line');
    const url = out.trim();
    try {
      expect((await get(url, { authorization: 'Bearer entra-tok' })).status).toBe(200);
      expect((await get(url, { authorization: 'Bearer k' })).status).toBe(200);
      expect((await get(url, { 'api-key': 'k' })).status).toBe(200);
      expect((await get(url, { authorization: 'Bearer other' })).status).toBe(401);
      expect((await get(url, { 'api-key': 'entra-tok' })).status).toBe(401);
    } finally {
      ac.abort();
    }
    expect(await exit).toBe(0);
  });
});

describe('rate limit and /_emulator/stats', () => {
  it('`octo emulator --rate-limit 2/min`: the third create in a minute is 429 with Retry-After; stats count creates and 429s', async () => {
    const { run } = await import('../../src/cli/main.js');
    let out = '';
    const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
    const ac = new AbortController();
    const exit = run(
      ['emulator', '--port', '0', '--rate-limit', '2/min'],
      { stdin: new PassThrough(), stdout, stderr: new PassThrough() },
      { signal: ac.signal, env: {} },
    );
    await until(() => out.includes('\n'), 30_000, 'the endpoint line');
    const url = out.trim();
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${url}/openai/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/videos', { prompt: 'a' })).status).toBe(200);
      expect((await post('/videos', { prompt: 'b' })).status).toBe(200);
      const limited = await post('/videos', { prompt: 'c' });
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(59);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await limited.json()).error.message).toMatch(new RegExp(`retry after ${retryAfter} seconds`));
      expect((await post('/videos', { prompt: 'd' })).status).toBe(429);
      // sora-1 has its own window.
      expect((await post('/video/generations/jobs', { model: 'sora', prompt: 'e', width: 480, height: 480 })).status).toBe(200);
      const stats = await (await fetch(`${url}/_emulator/stats`)).json();
      expect(stats).toMatchObject({
        creates: { 'sora-1': 1, 'sora-2': 2 },
        rateLimited: { 'sora-1': 0, 'sora-2': 2 },
        responses: { 200: 3, 429: 2 },
        requests: { 'POST /videos': 4, 'POST /video/generations/jobs': 1 },
      });
    } finally {
      ac.abort();
    }
    expect(await exit).toBe(0);
  });

  it('resetStats clears the 429 and auth counters too', async () => {
    const em = await start({ rateLimit: 1 });
    const post = () => fetch(`${em.url}/openai/v1/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"p"}' });
    await post();
    expect((await post()).status).toBe(429);
    expect(em.stats.rateLimited['sora-2']).toBe(1);
    em.resetStats();
    expect(em.stats).toMatchObject({ total: 0, rateLimited: { 'sora-2': 0 }, auth: { none: 0 }, creates: { 'sora-2': 0 } });
  });
});
