import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecretsInTranscript, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { haveChromium, launchChromium, NO_CHROMIUM, watchedPage } from '../support/browser.js';
import { DEV_KEY, startAzurite, type Azurite } from '../storage/azurite.js';
import { batchLines } from './gallery-fixtures.js';

/** `videos gallery --upload` against Azurite: the page and its videos in a private container, one read-only link. */

let world: World;
let azurite: Azurite;
let user: TestUser;
let vault: string;
let env: Record<string, string>;
let shared: any;

beforeAll(async () => {
  [world, azurite] = await Promise.all([startWorld('pg'), startAzurite()]);
  vault = await azurite.createContainer('vault');
  user = await makeUser(world);
  env = { ...user.env, OCTO_STORAGE_URL: vault, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
  writeFileSync(join(user.out, 'prompts.txt'), batchLines.join('\n'));
  // Made before storage was set: the videos are local files only.
  const made = await user.cli(['generate', '--file', 'prompts.txt', '--creates-per-minute', '0', '--json']);
  expect(made.code, made.stderr).toBe(6);
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await azurite?.stop();
  await world?.close();
});

const anonymous = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
};
const sources = (html: string) => [...html.matchAll(/<video src="([^"]+)"(?: poster="([^"]+)")?/g)].map((m): [string, string | undefined] => [m[1]!, m[2]]);

describe('octo videos gallery --upload', () => {
  it('without storage it is a usage error, before anything is written', async () => {
    const r = await user.cli(['videos', 'gallery', '--upload', '--out', 'nothing.html']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no storage is configured');
    expect(existsSync(join(user.out, 'nothing.html'))).toBe(false);
    expect((await user.cli(['videos', 'gallery', '--upload', '--out', '-'], { env })).code).toBe(2);
  });

  it('puts every video of the page and the page in the container; prints one link that reads it without credentials', async () => {
    const r = await user.cli(['videos', 'gallery', '--file', 'prompts.txt', '--upload', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    shared = r.json();
    expect(Object.keys(shared)).toEqual(['url', 'expires_at', 'path', 'uploaded', 'failed', 'rows']);
    expect([shared.uploaded, shared.failed]).toEqual([4, []]);
    expect(shared.url.startsWith(`${vault}/${user.userId}/galleries/`)).toBe(true);
    expect(new URL(shared.url).searchParams.get('sp')).toBe('r');

    const page = await anonymous(shared.url);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    const html = page.bytes.toString('utf8');
    expect(html.match(/<article class="card/g)).toHaveLength(4);
    // Every video and poster plays from the container through a read-only link, never a local path.
    const refs = sources(html);
    expect(refs).toHaveLength(3);
    const local = shared.rows.flatMap((row: any) => row.videos.map((v: any) => v.path));
    for (const [src, poster] of refs) {
      const link = new URL(src.replaceAll('&amp;', '&'));
      expect(link.origin).toBe(new URL(vault).origin);
      expect(link.searchParams.get('sp')).toBe('r');
      const video = await anonymous(link.href);
      expect(video.status).toBe(200);
      expect(local.some((path: string) => readFileSync(path).equals(video.bytes))).toBe(true);
      expect((await anonymous(poster!.replaceAll('&amp;', '&'))).status).toBe(200);
    }
    expect(html).not.toContain('file:');
    expect(html).not.toContain(user.out);
    expect(html).not.toContain(DEV_KEY);
    expect(html).not.toContain(encodeURIComponent(DEV_KEY));
    expect([...html.matchAll(/[?&;]sp=([a-z]+)/g)].map((m) => m[1])).toEqual(expect.arrayContaining(['r']));
    expect(html).not.toMatch(/[?&;]sp=(?!r[&"])/);
    expect(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]).toContain(`media-src 'self' ${new URL(vault).origin};`);

    // The local page is written as usual, with the downloads by relative path; the rows are recorded as uploaded.
    expect(shared.path).toBe(join(user.out, 'octo-gallery.html'));
    expect(sources(readFileSync(shared.path, 'utf8')).every(([src]) => src.startsWith('octo-videos/'))).toBe(true);
    const recorded = await world.db.query<{ url: string }>(`SELECT url FROM video_metadata WHERE user_id = $1`, [user.userId]);
    expect(recorded.every((v) => v.url.startsWith(`${vault}/${user.userId}/`))).toBe(true);
  });

  it('a second upload sends no video again; its page plays from fresh links', async () => {
    const r = await user.cli(['videos', 'gallery', '--file', 'prompts.txt', '--upload'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('0 videos uploaded');
    const url = r.stdout.trim();
    expect(url).not.toBe(shared.url);
    expect((await anonymous(url)).status).toBe(200);
  });

  it.skipIf(!haveChromium)(`a teammate's browser plays the shared page from the container alone${haveChromium ? '' : ` (${NO_CHROMIUM})`}`, async () => {
    const browser = await launchChromium();
    try {
      const w = await watchedPage(browser, { width: 1280, height: 800, allow: [new URL(vault).origin] });
      await w.page.goto(shared.url);
      expect(await w.page.locator('article.card').count()).toBe(4);
      const card = w.page.locator('article.card').first();
      await card.locator('button.play').click();
      const video = card.locator('video');
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(w.blocked).toEqual([]);
      expect(w.errors).toEqual([]);
      expect(w.dialogs).toEqual([]);
      expect(w.requests.every((u) => u.startsWith(`${new URL(vault).origin}/`))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
