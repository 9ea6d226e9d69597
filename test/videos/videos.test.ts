import { until } from '../support/until.js';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRoundTrips, makeUser, startWorld, type TestUser, type World, expectNoSecretsInTranscript } from '../generate/helpers.js';
import { firstRow } from '../support/defined.js';

let world: World;
let alice: TestUser;
let bob: TestUser;
let s1: any;
let s2: any;
beforeAll(async () => {
  world = await startWorld('pg');
  alice = await makeUser(world);
  bob = await makeUser(world);
  s1 = (await alice.cli(['generate', 'a red fox in snow', '--size', '480x480', '--variants', '2', '--seconds', '2', '--json'])).json();
  s2 = (await alice.cli(['generate', 'a blue whale', '--profile', 's2', '--json'])).json();
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await world?.close();
});

const roundTrips = (user: TestUser, argv: string[]) => countRoundTrips(world, user, argv);

describe('octo videos', () => {
  it('list: newest first, the exact JSON contract, filters; one round trip', async () => {
    const { r, trips } = await roundTrips(alice, ['videos', 'list', '--json']);
    expect(trips).toBe(1);
    const list = r.json();
    expect(list).toHaveLength(3);
    expect(Object.keys(list[0])).toEqual(['id', 'prompt', 'width', 'height', 'duration', 'sora_version', 'url', 'azure_video_id', 'created_at']);
    expect(list[0]).toMatchObject({
      prompt: 'a blue whale',
      width: 720,
      height: 1280,
      duration: 4,
      sora_version: 'sora-2',
      url: s2.files[0],
      azure_video_id: s2.job_id,
    });
    expect(
      list
        .slice(1)
        .map((v: any) => v.url)
        .sort(),
    ).toEqual([...s1.files].sort());
    expect((await alice.cli(['videos', 'list', '--search', 'FOX', '--json'])).json()).toHaveLength(2);
    expect((await alice.cli(['videos', 'list', '--search', '100%', '--json'])).json()).toHaveLength(0);
    expect((await alice.cli(['videos', 'list', '--limit', '1', '--json'])).json()).toHaveLength(1);
    expect((await alice.cli(['videos', 'list', '--since', '2999-01-01', '--json'])).json()).toEqual([]);
    expect((await alice.cli(['videos', 'list', '--until', '2000-01-01', '--json'])).json()).toEqual([]);
    expect((await alice.cli(['videos', 'list', '--since', 'yesterday'])).code).toBe(2);
    expect((await bob.cli(['videos', 'list', '--json'])).json()).toEqual([]);
    const csv = await alice.cli(['videos', 'list', '--csv']);
    // Lossless: width and height (not the table's size column), the Azure id, UTC times.
    expect(csv.stdout.split('\n')[0]).toBe('id,prompt,width,height,duration,sora_version,url,azure_video_id,created_at');
    expect(csv.stdout.split('\n')[1]).toContain(list[0].created_at);
  });

  it('list --since/--until: the grammar costs takes (7d, 24h, dates, times), --until through the end of its day', async () => {
    const utc = { env: { ...alice.env, TZ: 'UTC' } };
    const list = async (args: string[], options: object = utc) => {
      const r = await alice.cli(['videos', 'list', '--json', ...args], options);
      expect(r.code, r.stderr).toBe(0);
      return r.json().length;
    };
    const made = new Date((await alice.cli(['videos', 'list', '--json'])).json()[0].created_at);
    const day = made.toISOString().slice(0, 10);
    const dayBefore = new Date(made.getTime() - 86_400_000).toISOString().slice(0, 10);
    expect(await list(['--since', '7d'])).toBe(3);
    expect(await list(['--since', '24h'])).toBe(3);
    expect(await list(['--since', '2w', '--until', '0d'])).toBe(3);
    // Three days later (the session lasts seven), 2d no longer reaches back to the day they were made.
    const later = { ...utc, overrides: { now: () => new Date(made.getTime() + 3 * 86_400_000) } };
    expect(await list(['--since', '2d'], later)).toBe(0);
    expect(await list(['--since', '4d'], later)).toBe(3);
    expect(await list(['--since', '71h'], later)).toBe(0);
    // --until DAY includes that whole day, as costs --until does; the day before holds none.
    expect(await list(['--until', day])).toBe(3);
    expect(await list(['--since', day, '--until', day])).toBe(3);
    expect(await list(['--until', dayBefore])).toBe(0);
    // The day is the zone's: in a zone far enough east the videos may fall on the next day.
    const tokyoDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(made);
    expect(await list(['--since', tokyoDay, '--until', tokyoDay], { env: { ...alice.env, TZ: 'Asia/Tokyo' } })).toBe(3);
    // A time with an offset is an instant; --until TIME includes that instant.
    expect(await list(['--until', made.toISOString()])).toBeGreaterThanOrEqual(1);
    expect(await list(['--since', new Date(made.getTime() + 1).toISOString()])).toBe(0);
    for (const bad of ['yesterday', '7x', '2026-02-30', '2026-11-01T25:00']) {
      expect((await alice.cli(['videos', 'list', '--since', bad])).code, bad).toBe(2);
    }
    expect((await alice.cli(['videos', 'list', '--since', day, '--until', dayBefore])).code).toBe(2);
  });

  it('show: by id or Azure id, one round trip; another user gets exit 3', async () => {
    const [v] = (await alice.cli(['videos', 'list', '--json', '--limit', '1'])).json();
    const { r, trips } = await roundTrips(alice, ['videos', 'show', v.id, '--json']);
    expect(trips).toBe(1);
    expect(r.json()).toMatchObject({ id: v.id, azure_video_id: s2.job_id, profile_name: 's2' });
    expect(JSON.stringify(r.json())).not.toContain('api_key');
    expect((await alice.cli(['videos', 'show', s2.job_id, '--json'])).json().id).toBe(v.id);
    const other = await bob.cli(['videos', 'show', v.id, '--json']);
    expect(other.code).toBe(3);
    expect(other.json().error.code).toBe('not_found');
    expect((await alice.cli(['videos', 'show', 'nope'])).code).toBe(3);
    // Too short to be a prefix: a usage error saying so, not "no video" (issue 23, item 11).
    const short = await alice.cli(['videos', 'show', v.id.slice(0, 2)]);
    expect([short.code, short.stderr]).toEqual([2, expect.stringContaining('is too short for an id prefix: give 4 or more characters')]);
    const shortJob = await alice.cli(['jobs', 'show', '3f']);
    expect([shortJob.code, shortJob.stderr]).toEqual([2, expect.stringContaining('"3f" is too short for an id prefix')]);
  });

  it('takes a unique id prefix of 4+ characters wherever an id is taken; an ambiguous one lists the candidates (exit 2)', async () => {
    const [v] = (await alice.cli(['videos', 'list', '--json', '--limit', '1'])).json();
    expect((await alice.cli(['videos', 'show', v.id.slice(0, 8), '--json'])).json().id).toBe(v.id);
    // Three characters are too short to be a prefix: a usage error that says so (issue 23, item 11).
    expect((await alice.cli(['videos', 'show', v.id.slice(0, 3)])).code).toBe(2);
    for (const n of [1, 2]) {
      await world.db.query(
        `INSERT INTO video_metadata (id, user_id, file_id, url, prompt, height, width, duration) VALUES ($1, $2, $3, '/tmp/x.mp4', 'twin', '720', '1280', '4')`,
        [`abcd0000-0000-4000-8000-00000000000${n}`, alice.userId, `twin-${n}`],
      );
    }
    const ambiguous = await alice.cli(['videos', 'show', 'abcd']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('abcd0000-0000-4000-8000-000000000001');
    expect(ambiguous.stderr).toContain('abcd0000-0000-4000-8000-000000000002');
    expect((await alice.cli(['videos', 'delete', 'abcd', '--yes'])).code).toBe(2);
    expect((await alice.cli(['videos', 'show', 'abcd0000-0000-4000-8000-000000000002', '--json'])).json().file_id).toBe('twin-2');
    const deleted = await alice.cli(['videos', 'delete', 'abcd0000-0000-4000-8000-0000000000', '--yes', '--json']);
    expect(deleted.code).toBe(2);
    // Another user's ids are never candidates.
    expect((await bob.cli(['videos', 'show', 'abcd'])).code).toBe(3);
    await world.db.query(`DELETE FROM video_metadata WHERE prompt = 'twin'`);
  });

  it('open hands the file to the system opener (--print prints it); jobs show shows a job by prefix', async () => {
    const [v] = (await alice.cli(['videos', 'list', '--json', '--limit', '1'])).json();
    const printed = await alice.cli(['videos', 'open', v.id.slice(0, 6), '--print']);
    expect([printed.code, printed.stdout]).toEqual([0, `${v.url}\n`]);
    const bin = mkdtempSync(join(tmpdir(), 'octo-opener-'));
    const marker = join(bin, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${marker}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const opened = await alice.cli(['videos', 'open', v.id.slice(0, 8)], { env: { ...alice.env, PATH: `${bin}:${alice.env.PATH}` } });
    expect(opened.code, opened.stderr).toBe(0);
    // The shell creates the file before printf fills it: wait for the content, not the file.
    await until(() => existsSync(marker) && readFileSync(marker, 'utf8').length > 0, 30_000, 'the opener');
    expect(readFileSync(marker, 'utf8')).toBe(v.url);
    const noOpener = await alice.cli(['videos', 'open', v.id], { env: { ...alice.env, PATH: mkdtempSync(join(tmpdir(), 'octo-empty-')) } });
    expect(noOpener.code).toBe(1);
    expect(noOpener.stderr).toContain('--print');

    const shown = await alice.cli(['jobs', 'show', s2.id.slice(0, 8), '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json()).toMatchObject({ id: s2.id, job_id: s2.job_id, status: 'completed', files: s2.files });
    expect(JSON.stringify(shown.json())).not.toContain('api_key');
    const human = await alice.cli(['jobs', 'show', s2.job_id], { tty: true });
    expect(human.stdout).toMatch(/^job id at the service {2}video_/m);
    expect((await bob.cli(['jobs', 'show', s2.id])).code).toBe(3);
  });

  it('download refetches from the service while it lives, and says clearly when it expired', async () => {
    const [v] = (await alice.cli(['videos', 'list', '--json', '--limit', '1'])).json();
    const dir = join(alice.out, 'again');
    const r = await alice.cli(['videos', 'download', v.id, '--out', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().path).toBe(join(dir, `${s2.job_id}.mp4`));
    expect(existsSync(r.json().path)).toBe(true);
    expect((await bob.cli(['videos', 'download', v.id])).code).toBe(3);
    await world.db.query(`UPDATE video_metadata SET expires_at = NOW() - INTERVAL '1 hour' WHERE id = $1`, [v.id]);
    const expired = await alice.cli(['videos', 'download', v.id]);
    expect(expired.code).toBe(3);
    expect(expired.stderr).toContain('expired at the service');
    expect(expired.stderr).toContain('Sora keeps videos 24 h');
  });

  it('delete: the row only (file stays) unless --files; another user gets exit 3', async () => {
    const list = (await alice.cli(['videos', 'list', '--json'])).json();
    const [a, b] = list.filter((v: any) => v.sora_version === 'sora-1');
    expect((await bob.cli(['videos', 'delete', a.id])).code).toBe(3);
    let r = await alice.cli(['videos', 'delete', a.id]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('pass --yes')]);
    expect(existsSync(a.url)).toBe(true);
    r = await alice.cli(['videos', 'delete', a.id, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the file stays');
    expect(existsSync(a.url)).toBe(true);
    r = await alice.cli(['videos', 'delete', b.id, '--files', '--json', '--yes']);
    expect(r.json()).toMatchObject({ id: b.id, deleted: true });
    expect(existsSync(b.url)).toBe(false);
    expect(existsSync(b.url.replace(/\.mp4$/, '.jpg'))).toBe(false);
    expect((await alice.cli(['videos', 'list', '--json'])).json()).toHaveLength(1);
    expect((await alice.cli(['videos', 'delete', a.id, '--yes'])).code).toBe(3);
    // The generation and its cost stay recorded.
    const g = firstRow(await world.db.query(`SELECT status FROM video_generations WHERE id = $1`, [s1.id]));
    expect(g.status).toBe('completed');
  });

  it('delete finds by Azure video id what show finds', async () => {
    const shown = (await alice.cli(['videos', 'show', s2.job_id, '--json'])).json();
    const r = await alice.cli(['videos', 'delete', s2.job_id, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ id: shown.id, deleted: true });
    expect((await alice.cli(['videos', 'show', s2.job_id])).code).toBe(3);
  });
});
