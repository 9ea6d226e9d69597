import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRoundTrips, makeUser, startWorld, type TestUser, type World, expectNoSecretsInTranscript } from '../generate/helpers.js';
import { until } from '../support/until.js';
import { HOSTILE_PROMPT, batchLines, scriptsOf } from './gallery-fixtures.js';

let world: World;
let alice: TestUser;
let bob: TestUser;
let batch: any[];
beforeAll(async () => {
  world = await startWorld('pg');
  alice = await makeUser(world);
  bob = await makeUser(world);
  writeFileSync(join(alice.out, 'prompts.txt'), batchLines.join('\n'));
  const r = await alice.cli(['generate', '--file', 'prompts.txt', '--creates-per-minute', '0', '--json']);
  expect(r.code, r.stderr).toBe(6); // one line fails moderation
  batch = r.json().sort((a: any, b: any) => a.line - b.line);
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await world?.close();
});

const page = (dir: string, name = 'octo-gallery.html') => readFileSync(join(dir, name), 'utf8');

describe('octo videos gallery', () => {
  it('--file: a card per line in file order, with local files by relative path; --json is the rows; one round trip', async () => {
    const { r, trips } = await countRoundTrips(world, alice, ['videos', 'gallery', '--file', 'prompts.txt', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(trips).toBe(1);
    const rows = r.json();
    expect(rows.map((row: any) => row.prompt)).toEqual(batch.map((b) => b.prompt));
    expect(rows.map((row: any) => row.status)).toEqual(['completed', 'completed', 'failed', 'completed']);
    expect(Object.keys(rows[0])).toEqual([
      'id',
      'status',
      'prompt',
      'sora_model',
      'sora_version',
      'width',
      'height',
      'duration',
      'variants',
      'tags',
      'estimated_cost',
      'failure_reason',
      'profile_name',
      'job_id',
      'batch_id',
      'batch_line',
      'created_at',
      'url',
      'azure_video_id',
      'path',
      'videos',
    ]);
    expect(rows[0].videos).toHaveLength(2);
    expect(rows[0].videos.map((v: any) => v.path).sort()).toEqual([...batch[0].files].sort());
    expect(rows[0].path).toBe(rows[0].videos[0].path);
    expect(rows[2].path).toBeNull();
    expect(rows[2].failure_reason).toMatch(/moderation|safety|policy/i);
    expect(rows[3].tags).toEqual({ campaign: 'q4' });

    const html = page(alice.out);
    // The page is next to the downloads: every video and poster is a relative reference into them.
    const sources = [...html.matchAll(/<video src="([^"]+)" poster="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(sources).toHaveLength(3);
    for (const [src, poster] of sources) {
      expect(src).toMatch(/^octo-videos\/[^/]+\.mp4$/);
      expect(poster).toMatch(/^octo-videos\/[^/]+\.(jpg|webp)$/);
      expect(existsSync(join(alice.out, decodeURIComponent(src!)))).toBe(true);
    }
    expect(html.match(/<article class="card/g)).toHaveLength(4);
    expect(html).toContain('<title>Batch prompts.txt · octo gallery</title>');
  });

  it('escapes every prompt: the page holds exactly its own script, a strict CSP, and no secret', async () => {
    const html = page(alice.out);
    expect(scriptsOf(html)).toHaveLength(1);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</script><script>');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // Control characters show as escapes, not raw.
    expect(html).toContain('\\x07');
    expect(html).not.toContain('\u0007');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).toContain("media-src 'self';");
    expect(csp).not.toMatch(/unsafe|https?:/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('emulator-secret-key');
    expect(HOSTILE_PROMPT).toContain('</script>');
  });

  it('the videos list filters, --limit with its note, --batch, and another user sees nothing', async () => {
    const ids = async (argv: string[], user = alice) => {
      const r = await user.cli(['videos', 'gallery', ...argv, '--out', join(user.out, 'f.html'), '--json']);
      expect(r.code, r.stderr).toBe(0);
      return r.json().map((row: any) => row.prompt);
    };
    expect(await ids(['--status', 'failed'])).toEqual([batch[2].prompt]);
    expect(await ids(['--tag', 'campaign=q4'])).toEqual([batch[3].prompt]);
    expect(await ids(['--tag', 'campaign'])).toEqual([batch[3].prompt]);
    expect(await ids(['--tag', 'campaign=q3'])).toEqual([]);
    expect(await ids(['--search', 'LIGHTHOUSE'])).toEqual([batch[1].prompt]);
    expect(await ids(['--search', 'lighthouse_at'])).toEqual([]);
    expect(await ids(['--since', '2999-01-01'])).toEqual([]);
    // The --since/--until grammar of videos list and costs: relative, and --until DAY through its end.
    const all = await ids([]);
    expect(await ids(['--since', '7d'])).toEqual(all);
    expect(await ids(['--since', '2w', '--until', '0d'])).toEqual(all);
    expect(await ids(['--until', '0d'])).toEqual(all);
    const [first] = (await alice.cli(['videos', 'gallery', '--file', 'prompts.txt', '--out', 'b.html', '--json'])).json();
    expect(await ids(['--batch', first.batch_id])).toEqual(batch.map((b) => b.prompt));
    expect(await ids([], bob)).toEqual([]);
    const limited = await alice.cli(['videos', 'gallery', '--limit', '2', '--out', 'limited.html']);
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stdout).toBe(`${join(alice.out, 'limited.html')}\n`);
    expect(limited.stderr).toContain('showing 2 of 4');
    expect(page(alice.out, 'limited.html')).toContain('showing 2 of 4');
    // Newest first: the page's cards run in the opposite order of the batch.
    expect(page(alice.out, 'limited.html').match(/<article class="card/g)).toHaveLength(2);
  });

  it('refuses flags that do not go together (exit 2), and an unknown batch is not found (exit 3)', async () => {
    const code = async (argv: string[]) => (await alice.cli(['videos', 'gallery', ...argv])).code;
    expect(await code(['--file', 'prompts.txt', '--status', 'failed'])).toBe(2);
    expect(await code(['--file', 'prompts.txt', '--batch', '00000000-0000-4000-8000-000000000000'])).toBe(2);
    expect(await code(['--batch', 'nope'])).toBe(2);
    expect(await code(['--batch', '00000000-0000-4000-8000-000000000000'])).toBe(3);
    expect(await code(['--file', 'missing.txt'])).toBe(2);
    expect(await code(['--out', '-', '--json'])).toBe(2);
    expect(await code(['--out', '-', '--open'])).toBe(2);
    expect(await code(['--status', 'nope'])).toBe(2);
    writeFileSync(join(alice.out, 'unrun.txt'), 'never generated\n');
    expect(await code(['--file', 'unrun.txt'])).toBe(3);
  });

  it('--out never replaces a folder, a device or a FIFO, never hangs under /proc, and leaves no part file (exit 2)', async () => {
    const folder = join(alice.out, 'a-folder');
    mkdirSync(folder);
    const fifo = join(alice.out, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: [string, RegExp][] = [
      [folder, /--out .*a-folder is a folder/],
      ['/dev/null', /--out \/dev\/null is not a regular file/],
      [fifo, /a-fifo is not a regular file/],
      ['/proc/x/g.html', /cannot write the page to \/proc\/x\/g\.html/],
    ];
    for (const [out, said] of cases) {
      const r = await alice.cli(['videos', 'gallery', '--out', out]);
      expect([r.code, r.stderr], out).toEqual([2, expect.stringMatching(said)]);
    }
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(alice.out).filter((f) => f.includes('.part-'))).toEqual([]);
  });

  it('--out - prints the page; --out makes missing folders and links the videos from there', async () => {
    const printed = await alice.cli(['videos', 'gallery', '--file', 'prompts.txt', '--out', '-']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout.startsWith('<!doctype html>')).toBe(true);
    // Written nowhere in particular: videos by absolute file: URL.
    expect(printed.stdout).toMatch(/<video src="file:\/\/\/[^"]+\.mp4"/);
    const nested = await alice.cli(['videos', 'gallery', '--file', 'prompts.txt', '--out', 'review/week 1/page.html']);
    expect(nested.code, nested.stderr).toBe(0);
    const html = page(join(alice.out, 'review', 'week 1'), 'page.html');
    // Not below the page's folder: an absolute file: URL, never a path the zip would break.
    expect(html).toMatch(/<video src="file:\/\/\/[^"]+\.mp4"/);
    expect(html).not.toContain('src="../');
  });

  it('a video not on this machine plays from its storage URL (allowed by the CSP) or says how to download it', async () => {
    const rows = (await alice.cli(['videos', 'gallery', '--file', 'prompts.txt', '--out', 'x.html', '--json'])).json();
    const [stored] = rows[0].videos;
    const [gone] = rows[1].videos;
    await world.db.query(`UPDATE video_metadata SET url = $2, thumbnail_url = NULL WHERE id = $1`, [
      stored.id,
      'https://acct.blob.core.windows.net/octo/u/g/v.mp4?sv=2024&sp=r&sig=abc',
    ]);
    await world.db.query(`UPDATE video_metadata SET url = '/nonexistent/octo-videos/v.mp4' WHERE id = $1`, [gone.id]);
    try {
      const r = await alice.cli(['videos', 'gallery', '--file', 'prompts.txt', '--out', 'y.html', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json()[0].path).toBeNull();
      const html = page(alice.out, 'y.html');
      expect(html).toContain('<video src="https://acct.blob.core.windows.net/octo/u/g/v.mp4?sv=2024&amp;sp=r&amp;sig=abc"');
      expect(html).toContain("media-src 'self' https://acct.blob.core.windows.net;");
      expect(html).toContain(`octo videos download ${gone.id}`);
    } finally {
      await world.db.query(`UPDATE video_metadata SET url = $2, thumbnail_url = $3 WHERE id = $1`, [stored.id, stored.url, stored.thumbnail_url]);
      await world.db.query(`UPDATE video_metadata SET url = $2 WHERE id = $1`, [gone.id, gone.url]);
    }
  });

  it('--open hands the page to the system opener; without one the page is still written (exit 1)', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'octo-opener-'));
    const marker = join(bin, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${marker}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const opened = await alice.cli(['videos', 'gallery', '--open', '--out', 'opened.html'], { env: { ...alice.env, PATH: `${bin}:${alice.env.PATH}` } });
    expect(opened.code, opened.stderr).toBe(0);
    // The shell creates the file before printf fills it: wait for what it writes, not for the file.
    const pagePath = join(alice.out, 'opened.html');
    await until(() => existsSync(marker) && readFileSync(marker, 'utf8') === pagePath, 30_000, 'the fake opener to write the page it was given');
    const none = await alice.cli(['videos', 'gallery', '--open', '--out', 'unopened.html'], {
      env: { ...alice.env, PATH: mkdtempSync(join(tmpdir(), 'octo-empty-')) },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`the page is written (${join(alice.out, 'unopened.html')})`);
    expect(existsSync(join(alice.out, 'unopened.html'))).toBe(true);
  });
});
