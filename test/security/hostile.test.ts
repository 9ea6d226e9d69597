import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mp4Body } from '../../src/emulator/media.js';
import { makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';

/**
 * A Sora-2 endpoint on 127.0.0.1 that answers with hostile ids and failure reasons: the issue's
 * rows "ids from a server never become paths", "videos delete --files" and "control characters".
 */

const EVIL_ID = '../../escape/pwn';
const ESC_REASON = 'boom \u001b]0;pwned\u0007 \u001b[31mred';

let server: Server;
let url: string;
const seen: string[] = [];
let world: World;
let user: TestUser;

function startHostile(): Promise<void> {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const video = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
        id,
        object: 'video',
        status,
        model: 'sora-2',
        size: '720x1280',
        seconds: '4',
        created_at: Math.floor(Date.now() / 1000),
        ...extra,
      });
      if (req.method === 'POST' && path === '/openai/v1/videos') {
        const prompt = (JSON.parse(body || '{}') as { prompt?: string }).prompt ?? '';
        return json(200, video(prompt.includes('fail') ? 'video_fail' : EVIL_ID, 'queued'));
      }
      // The list a recovering run reads (a lease that lapsed under load): the same hostile id.
      if (req.method === 'GET' && path === '/openai/v1/videos') {
        return json(200, { object: 'list', data: [video(EVIL_ID, 'completed', { progress: 100 })], has_more: false });
      }
      if (req.method === 'GET' && path === '/openai/v1/videos/video_fail') {
        return json(200, video('video_fail', 'failed', { error: { code: 'bad\u001b[2J', message: ESC_REASON } }));
      }
      if (req.method === 'GET' && path === `/openai/v1/videos/${encodeURIComponent(EVIL_ID)}`) {
        return json(200, video(EVIL_ID, 'completed', { progress: 100 }));
      }
      if (req.method === 'GET' && path === `/openai/v1/videos/${encodeURIComponent(EVIL_ID)}/content`) {
        // A real MP4 (a video must be one to count as downloaded); the thumbnail is not checked.
        const bytes = (req.url ?? '').includes('variant=thumbnail')
          ? Buffer.from('not really a picture')
          : Buffer.concat([...mp4Body({ width: 720, height: 1280, seconds: 4 }).chunks()]);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
        return res.end(bytes);
      }
      json(404, { error: { code: 'not_found', message: `nothing at ${req.method} ${path}` } });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

beforeAll(async () => {
  await startHostile();
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  world = await startWorld('pg');
  user = await makeUser(world, { endpoint: url, active: 's2' });
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await world?.close();
});

/** A raw BEL or ESC: what a terminal would act on. */
const hasRawControl = (text: string) => text.includes('\u0007') || text.includes('\u001b');

/** Every file under `dir`, recursively, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('a hostile endpoint', () => {
  it('an id like ../../escape/pwn stays a file name inside --out and an encoded URL segment', async () => {
    const out = join(user.out, 'a', 'b', 'out');
    const r = await user.cli(['generate', 'a calm lake', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json();
    expect(result.job_id).toBe(EVIL_ID);
    expect(result.files).toHaveLength(1);
    expect(dirname(result.files[0])).toBe(out);
    // Nothing outside --out: the tree above it holds only what is inside it.
    expect(filesUnder(user.out).sort()).toEqual(
      filesUnder(out)
        .map((f) => join('a', 'b', 'out', f))
        .sort(),
    );
    expect(existsSync(join(user.out, 'a', 'escape'))).toBe(false);
    expect(filesUnder(out).sort()).toEqual(['.octo-downloads', '___.._escape_pwn.mp4', '___.._escape_pwn.webp']);
    // Every request named the id as one encoded segment.
    expect(seen.filter((s) => s.includes('escape'))).not.toHaveLength(0);
    for (const s of seen.filter((x) => x.includes('escape'))) expect(s).toContain('..%2F..%2Fescape%2Fpwn');

    const again = join(user.out, 'again');
    const d = await user.cli(['videos', 'download', EVIL_ID, '--out', again, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json().path).toBe(join(again, '___.._escape_pwn.mp4'));
    expect(existsSync(join(user.out, 'escape'))).toBe(false);
    expect(existsSync(join(dirname(user.out), 'escape'))).toBe(false);
  });

  it('videos delete --files leaves a file the row points to outside octo’s download folders', async () => {
    const out = join(user.out, 'del');
    const r = await user.cli(['generate', 'a lake at dusk', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [v] = (await user.cli(['videos', 'list', '--json', '--limit', '1'])).json();
    // Another writer of the shared database points the row at a file octo never wrote.
    const victimDir = join(user.out, 'precious');
    mkdirSync(victimDir);
    const victim = join(victimDir, 'thesis.mp4');
    writeFileSync(victim, 'years of work');
    writeFileSync(join(victimDir, 'x.webp'), 'a picture');
    const thumb = `${out}/../precious/x.webp`;
    await world.db.query(`UPDATE video_metadata SET url = $2, thumbnail_url = $3 WHERE id = $1`, [v.id, victim, thumb]);
    const d = await user.cli(['videos', 'delete', v.id, '--files', '--yes', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json()).toMatchObject({ deleted: true, files_removed: [], files_kept: [victim, thumb] });
    expect(existsSync(victim)).toBe(true);
    expect(existsSync(join(victimDir, 'x.webp'))).toBe(true);
    // The file octo did write stays too (the row no longer names it), and its own delete works.
    expect(existsSync(r.json().files[0])).toBe(true);
  });

  it('control characters from prompts, ids and failure reasons are escaped on a terminal; --json stays exact', async () => {
    const prompt = 'fail \u001b]0;pwned\u0007 please';
    const g = await user.cli(['generate', prompt, '--out', join(user.out, 'f')]);
    expect(g.code).toBe(7);
    expect(hasRawControl(g.stderr)).toBe(false);
    expect(g.stderr).toContain('\\e]0;pwned\\x07');
    const json = await user.cli(['jobs', 'list', '--json', '--limit', '1']);
    expect(json.json()[0].prompt).toBe(prompt);
    expect(json.json()[0].failure_reason).toContain(ESC_REASON);
    for (const argv of [
      ['jobs', 'list'],
      ['videos', 'list'],
    ]) {
      const table = await user.cli(argv, { tty: true });
      expect(table.code, table.stderr).toBe(0);
      expect(hasRawControl(table.stdout + table.stderr)).toBe(false);
      const piped = await user.cli(argv);
      expect(hasRawControl(piped.stdout)).toBe(false);
    }
    expect((await user.cli(['jobs', 'list'], { tty: true })).stdout).toContain('fail \\e]0;p');
    expect((await user.cli(['jobs', 'list'])).stdout).toContain('fail \\e]0;pwned\\x07 please');
  });
});
