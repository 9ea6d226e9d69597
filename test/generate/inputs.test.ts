import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, startWorld, type TestUser, type World } from './helpers.js';

/**
 * Issue 10, the rows about what octo accepts before it spends: batch identity by line, the
 * download folder, bad input. Each on `pg` and on the Neon HTTP driver.
 */

describe.each(['pg', 'neon'] as const)('before anything is spent, on %s', (kind) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(kind);
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  const count = async (userId: string) =>
    (await world.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM video_generations WHERE user_id = $1`, [userId]))[0]!.n;
  const creates = () => world.emulator.stats.creates['sora-1'] + world.emulator.stats.creates['sora-2'];

  it('a finished batch file gets one more line: --resume runs only that line and says so; without --resume it is refused', async () => {
    const user = await makeUser(world);
    const file = join(user.out, 'grow.txt');
    writeFileSync(file, 'first\nsecond\nthird\n');
    expect((await user.cli(['generate', '--file', 'grow.txt', '--json'])).code).toBe(0);
    const before = creates();
    writeFileSync(file, 'zeroth\nfirst\nsecond\nthird\n');
    const refused = await user.cli(['generate', '--file', 'grow.txt']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('3 of the 4 lines of this file were already run');
    expect(await count(user.userId)).toBe(3);
    const resumed = await user.cli(['generate', '--file', 'grow.txt', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('3 of 4 lines already finished, 1 new line to run');
    expect(resumed.stderr).toContain('4 completed, 0 failed of 4');
    const rows = await world.db.query(`SELECT prompt, status FROM video_generations WHERE user_id = $1 ORDER BY created_at, batch_line`, [user.userId]);
    expect(rows.map((x) => [x.prompt, x.status])).toEqual([
      ['first', 'completed'],
      ['second', 'completed'],
      ['third', 'completed'],
      ['zeroth', 'completed'],
    ]);
    expect(creates() - before).toBe(1);
    expect(await count(user.userId)).toBe(4);
  });

  it('the same file by another name (a symlink, ./dir/../name): refused as already run, nothing created twice', async () => {
    const user = await makeUser(world);
    mkdirSync(join(user.out, 'dir'));
    writeFileSync(join(user.out, 'real.txt'), 'one\ntwo\n');
    symlinkSync('real.txt', join(user.out, 'link.txt'));
    expect((await user.cli(['generate', '--file', 'real.txt', '--json'])).code).toBe(0);
    const before = creates();
    for (const name of ['link.txt', 'dir/../real.txt']) {
      const again = await user.cli(['generate', '--file', name]);
      expect(again.code, name).toBe(2);
      expect(again.stderr).toContain('2 of the 2 lines of this file were already run');
    }
    expect(creates() - before).toBe(0);
    expect(await count(user.userId)).toBe(2);
  });

  it('--out that cannot be written: exit 2 before anything is recorded or created', async () => {
    const user = await makeUser(world);
    writeFileSync(join(user.out, 'a-file'), 'x');
    const before = creates();
    for (const out of ['a-file', join('a-file', 'below')]) {
      const r = await user.cli(['generate', 'never spent', '--out', out]);
      expect(r.code, out).toBe(2);
      expect(r.stderr).toMatch(/the download folder .* is not writable \((EEXIST|ENOTDIR)\)/);
    }
    writeFileSync(join(user.out, 'b.txt'), 'one\ntwo\n');
    const batch = await user.cli(['generate', '--file', 'b.txt', '--out', 'a-file']);
    expect(batch.code).toBe(2);
    expect(await count(user.userId)).toBe(0);
    expect(creates()).toBe(before);
  });

  it('jobs wait --out DIR wins over the stored folder; a stored folder gone bad is refused with exit 2 and that hint', async () => {
    const user = await makeUser(world, { active: 's2' });
    const first = join(user.out, 'first');
    const r = await user.cli(['generate', 'follow me', '--out', first, '--no-wait', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = r.json().id;
    rmSync(first, { recursive: true });
    writeFileSync(first, 'now a file');
    const bad = await user.cli(['jobs', 'wait', id]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('octo jobs wait --out DIR');
    const second = join(user.out, 'second');
    const ok = await user.cli(['jobs', 'wait', id, '--out', second, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json().files[0].startsWith(second)).toBe(true);
    expect(existsSync(ok.json().files[0])).toBe(true);
  });

  it('partial files of a killed download are removed by the next run; none is left by a finished one', async () => {
    const user = await makeUser(world, { active: 's2' });
    const r = await user.cli(['generate', 'partial', '--no-wait', '--json']);
    const { id, job_id } = r.json();
    const dir = join(user.out, 'octo-videos');
    mkdirSync(dir, { recursive: true });
    // What a kill -9 mid-download leaves.
    writeFileSync(join(dir, `${job_id}.mp4.part-0badc0ffee00`), 'half a video');
    writeFileSync(join(dir, `${job_id}.webp.part-0badc0ffee01`), 'half a thumbnail');
    const done = await user.cli(['jobs', 'wait', id]);
    expect(done.code, done.stderr).toBe(0);
    expect(
      readdirSync(dir)
        .filter((n) => n.startsWith(job_id))
        .sort(),
    ).toEqual([`${job_id}.mp4`, `${job_id}.webp`]);
  });

  it('bad input is exit 2 naming the field (and FILE:LINE); nothing recorded, nothing created', async () => {
    const user: TestUser = await makeUser(world);
    const before = creates();
    const file = (name: string, content: string | Buffer) => writeFileSync(join(user.out, name), content);
    file('malformed.jsonl', 'fine\n{"prompt": "b", "seconds": 8\n[{"prompt":"c"}]\n');
    file('array.jsonl', 'fine\n[{"prompt":"c"}]\n');
    file('nul.jsonl', 'fine\n{"prompt":"a\\u0000b"}\n');
    file('surrogate.jsonl', '{"prompt":"x"}\n{"prompt":"a\\ud800b"}\n');
    file('binary.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    file('utf16-nobom.txt', Buffer.from('one\ntwo\n', 'utf16le'));
    const cases: [string[], string][] = [
      [['generate', '--file', 'malformed.jsonl'], 'malformed.jsonl:2: invalid JSON'],
      [['generate', '--file', 'array.jsonl'], 'array.jsonl:2: expected one JSON object per line'],
      [['generate', '--file', 'nul.jsonl'], 'nul.jsonl:2: "prompt" contains a NUL character'],
      [['generate', '--file', 'surrogate.jsonl'], 'surrogate.jsonl:2: "prompt" contains invalid Unicode'],
      [['generate', '--file', 'binary.bin'], 'binary.bin: is not a text file'],
      [['generate', '--file', 'utf16-nobom.txt'], 'utf16-nobom.txt: is not a text file'],
      [['generate', 'a\u0000b'], 'the prompt contains a NUL character'],
      [['generate', 'a\ud800b'], 'the prompt contains invalid Unicode'],
      [['generate', 'tagged', '--tag', 'k=\ud800'], 'tag k contains invalid Unicode'],
      [
        [
          'profile',
          'add',
          'long',
          '--endpoint',
          `https://${'a'.repeat(480)}.openai.azure.com`,
          '--deployment',
          'd',
          '--sora-version',
          'sora-2',
          '--api-key-stdin',
          '--no-check',
        ],
        '--endpoint is 505 characters long; at most 500 fit',
      ],
      [
        [
          'profile',
          'add',
          'long',
          '--endpoint',
          'https://x.openai.azure.com',
          '--deployment',
          'd'.repeat(256),
          '--sora-version',
          'sora-2',
          '--api-key-stdin',
          '--no-check',
        ],
        '--deployment is 256 characters long; at most 255 fit',
      ],
    ];
    for (const [argv, expected] of cases) {
      const r = await user.cli(argv, { stdin: 'key-1234\n' });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(expected);
    }
    expect(await count(user.userId)).toBe(0);
    const profiles = await world.db.query(`SELECT name FROM profiles_config WHERE user_id = $1 AND name = 'long'`, [user.userId]);
    expect(profiles).toHaveLength(0);
    expect(creates()).toBe(before);
  });

  it('CR-only, CRLF and UTF-16 (with its byte-order mark) batch files are read line by line', async () => {
    const user = await makeUser(world);
    writeFileSync(join(user.out, 'cr.txt'), 'cr one\rcr two\rcr three');
    writeFileSync(join(user.out, 'u16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('u16 é one\r\nu16 two\r\n', 'utf16le')]));
    const cr = await user.cli(['generate', '--file', 'cr.txt', '--json', '--no-download']);
    expect(cr.code, cr.stderr).toBe(0);
    expect(cr.json().map((x: any) => [x.line, x.prompt])).toEqual([
      [1, 'cr one'],
      [2, 'cr two'],
      [3, 'cr three'],
    ]);
    const u16 = await user.cli(['generate', '--file', 'u16.txt', '--json', '--no-download']);
    expect(u16.code, u16.stderr).toBe(0);
    expect(u16.json().map((x: any) => x.prompt)).toEqual(['u16 é one', 'u16 two']);
  });
});
