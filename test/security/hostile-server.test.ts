import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webpBody } from '../../src/emulator/media.js';
import { octoProcess } from '../e2e/octo-process.js';
import { makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { goodMp4, sendJson, startHostileSora, trickle, video, type HostileSora } from '../support/hostile-sora.js';

/**
 * A Sora server on 127.0.0.1 that misbehaves (issue 22, "A server that misbehaves" and the
 * download checks): every mode ends the command, says why, and leaves the line as it was
 * (queued or running, for `jobs wait`), never failed or completed for the server's fault. The
 * deadlines are shortened through the environment so each case takes seconds.
 */

let world: World;
let user: TestUser;
let sora: HostileSora;

const FAST = { OCTO_HTTP_TIMEOUT_MS: '1500', OCTO_HTTP_STALL_MS: '1000', OCTO_MAX_RETRY_AFTER_MS: '1000', OCTO_UNKNOWN_STATUS_MS: '600' };

beforeAll(async () => {
  sora = await startHostileSora();
  world = await startWorld('pg');
  user = await makeUser(world, { endpoint: sora.url, active: 's2' });
});
afterEach(() => sora.behave());
afterAll(async () => {
  await sora?.close();
  await world?.close();
});

const cli = (argv: string[]) => user.cli(argv, { env: { ...user.env, ...FAST } });
const lastLine = async () => (await user.cli(['jobs', 'list', '--json', '--limit', '1'])).json()[0];
/** Files under `dir`: no video, and no `.part-*` left, after a refused download. */
const filesIn = (dir: string) => {
  try {
    return readdirSync(dir).filter((f) => f !== '.octo-downloads');
  } catch {
    return [];
  }
};

/** The line is left for a later run: not failed, not completed, no reason recorded. */
async function expectResumable(statuses: string[]) {
  const line = await lastLine();
  expect(statuses).toContain(line.status);
  expect(line.failure_reason).toBeNull();
  return line;
}

describe('a server that misbehaves on a create', () => {
  it('an endless JSON answer is refused at the cap (no out-of-memory crash); the line stays submitted', async () => {
    sora.create = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      res.write('{"id":"video_big","status":"queued","pad":"');
      // As fast as octo reads, for ever (a 2 GB answer and more).
      const more = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    };
    // The built CLI in its own process: were it to read it all, its crash would not be this worker's.
    const run = octoProcess(user, ['generate', 'a huge answer', '--out', join(user.out, 'big')], FAST);
    const killer = setTimeout(() => run.child.kill('SIGKILL'), 45_000);
    const done = await run.done;
    clearTimeout(killer);
    expect(done.signal, done.stderr).toBeNull();
    expect(done.code, done.stderr).toBe(1);
    expect(done.stderr).toContain("the service's answer is larger than the 4 MiB of JSON octo reads");
    expect(done.stderr).toContain('octo jobs wait');
    await expectResumable(['queued']);
  });

  it('an answer trickled a byte every 2 s ends at the request deadline; the line stays submitted and a later run finishes it', async () => {
    sora.create = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      trickle(res, Buffer.from(JSON.stringify(video('video_slow', 'queued'))), 2000);
    };
    const r = await cli(['generate', 'a slow answer', '--out', join(user.out, 'slow')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('no complete answer within');
    const line = await expectResumable(['queued']);
    expect(line.job_id).toBeNull();
    // The server behaves again: the next look finds the line and finishes it.
    sora.behave();
    const again = await cli(['jobs', 'wait', line.id, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json().status).toBe('completed');
  });

  it.each([
    ['seconds', '99999999999'],
    ['an HTTP date years ahead', new Date(Date.now() + 30 * 365 * 86_400_000).toUTCString()],
  ])('a Retry-After of %s is capped, said so, and the capped pause is what the shared pacing row holds', async (_form, retryAfter) => {
    let creates = 0;
    sora.create = (req, res, body) => {
      if (++creates === 1) {
        return sendJson(res, 429, { error: { code: '429', message: 'slow down' } }, { 'retry-after': retryAfter });
      }
      sora.behave();
      sora.create(req, res, body);
    };
    const r = await cli(['generate', `paced ${retryAfter}`, '--out', join(user.out, 'paced')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rate limited by the service: every worker pauses 1 s \(it asked for [\d,]+ days; capped at 1 s\)/);
    expect(creates).toBe(2);
    const resource = `${new URL(sora.url).host}/sora-2`;
    const [row] = await world.db.query<{ ahead_ms: number }>(
      `SELECT EXTRACT(EPOCH FROM (paused_until - clock_timestamp())) * 1000 AS ahead_ms FROM octo_create_pacing WHERE resource = $1`,
      [resource],
    );
    // Paused for the cap (a second, over by now), not for years: every other process on the resource carries on.
    expect(Number(row?.ahead_ms)).toBeLessThan(60_000);
  });
});

describe('a server that misbehaves while a job runs', () => {
  it('a status octo does not know ends polling after its allowance, naming it without its control characters; the line stays running', async () => {
    const weird = 'warp\u001b[2J\u009b31mdrive';
    sora.get = (req, res) => sendJson(res, 200, video(decodeURIComponent((req.url ?? '').split('/')[4] ?? ''), weird));
    const r = await cli(['generate', 'a strange status', '--out', join(user.out, 'weird')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('has reported a status octo does not know, "warp\\u001b[2J\\u009b31mdrive"');
    expect(r.stderr).not.toMatch(/[\u001b\u009b]/);
    await expectResumable(['running']);
    const json = await cli(['jobs', 'wait', (await lastLine()).id, '--json']);
    expect(json.code).toBe(1);
    expect(json.json().error.message).toContain('"warp\\u001b[2J\\u009b31mdrive"');
  });
});

describe('a download the server gets wrong', () => {
  const mp4 = goodMp4();
  const cases: [string, (res: ServerResponse) => void, RegExp][] = [
    [
      'runs past its Content-Length',
      (res) => {
        res.writeHead(200, { 'content-length': String(mp4.length - 500) });
        res.end(mp4);
      },
      /the MP4 file is cut short/,
    ],
    [
      'has a Content-Length of 0',
      (res) => {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      },
      /empty body/,
    ],
    [
      'is not an MP4 (a gzip bomb)',
      (res) => {
        const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bomb.length) });
        res.end(bomb);
      },
      /not an MP4 file: it does not start with an ftyp box \(its first bytes are 1f8b/,
    ],
    [
      'is trickled a byte every 2 s',
      (res) => {
        res.writeHead(200, { 'content-length': String(mp4.length) });
        trickle(res, mp4, 2000);
      },
      /stalled: fewer than 16 KiB in 1 s/,
    ],
  ];

  it.each(cases)('one that %s is refused: not completed, no video file, the line still running', async (_what, serve, said) => {
    const out = join(user.out, `dl-${Math.random().toString(36).slice(2)}`);
    sora.content = (req, res) => {
      if (!(req.url ?? '').includes('variant=thumbnail')) return serve(res);
      const thumb = webpBody();
      res.writeHead(200, { 'content-type': 'image/webp', 'content-length': String(thumb.length) });
      res.end(thumb);
    };
    const r = await cli(['generate', `download ${_what}`, '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(said);
    expect(filesIn(out)).toEqual([]);
    // Queued when no poll saw it running (the job was already done): either way, not finished.
    const line = await expectResumable(['queued', 'running']);
    expect((await user.cli(['videos', 'list', '--json'])).json().map((v: { prompt: string }) => v.prompt)).not.toContain(`download ${_what}`);
    // Once the service serves the video, the line completes with a real MP4.
    sora.behave();
    const again = await cli(['jobs', 'wait', line.id, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const [file] = again.json().files as string[];
    expect(readFileSync(file!).subarray(4, 8).toString('latin1')).toBe('ftyp');
  });
});
