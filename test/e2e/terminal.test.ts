import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';

/**
 * What only a terminal shows, in a real one: the built CLI inside tmux at 80, 100 and 120
 * columns. A wrapped row is a visual line that `capture-pane -J` joins back to its neighbour, so
 * the two captures differ in line count.
 */

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux) console.warn('tmux is not installed: the terminal-width tests are skipped (CI installs it)');

const root = join(import.meta.dirname, '..', '..');
const octo = join(root, 'bin', 'octo.js');
const WIDTHS = [80, 100, 120];

export interface Screen {
  /** Visual lines as the terminal shows them. */
  lines: string[];
  /** Logical lines (wrapped ones joined). */
  joined: string[];
}

/** Runs `octo ARGS` in a fresh tmux server of the given width and returns the screen once it ends. */
export async function inTmux(
  env: Record<string, string>,
  cwd: string,
  args: string[],
  width: number,
  o: { height?: number; tz?: string; keys?: { after: RegExp; send: string }[]; snapshots?: { after: RegExp; gapMs: number; into: string[] } } = {},
): Promise<Screen> {
  const dir = mkdtempSync(join(tmpdir(), 'octo-tmux-'));
  const script = join(dir, 'run.sh');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const exports = Object.entries({ ...env, ...(o.tz ? { TZ: o.tz } : {}) })
    .map(([k, v]) => `export ${k}=${quote(v)}`)
    .join('\n');
  // The shell outlives a Ctrl-C (it goes to the whole foreground group); octo gets it as usual.
  writeFileSync(
    script,
    `trap 'true' INT\n${exports}\ncd ${quote(cwd)}\n${quote(process.execPath)} ${quote(octo)} ${args.map(quote).join(' ')}\necho "__DONE__ $?"\nsleep 60\n`,
  );
  const socket = `octo-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  tmux('new-session', '-d', '-x', String(width), '-y', String(o.height ?? 60), 'sh', script);
  const socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
  try {
    const deadline = Date.now() + 90_000;
    const keys = [...(o.keys ?? [])];
    for (;;) {
      const text = tmux('capture-pane', '-p', '-J');
      if (text.includes('__DONE__')) break;
      const snap = o.snapshots;
      if (snap && snap.into.length < 2 && snap.after.test(text)) {
        snap.into.push(text);
        if (snap.into.length < 2) await new Promise((r) => setTimeout(r, snap.gapMs));
        continue;
      }
      const next = keys[0];
      if (next?.after.test(text)) {
        keys.shift();
        tmux('send-keys', next.send);
      }
      if (Date.now() > deadline) throw new Error(`timed out in tmux:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const clean = (text: string) => {
      const lines = text.split('\n');
      const end = lines.findIndex((l) => l.startsWith('__DONE__'));
      return lines.slice(0, end + 1);
    };
    return { lines: clean(tmux('capture-pane', '-p')), joined: clean(tmux('capture-pane', '-p', '-J')) };
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(socketPath, { force: true });
  }
}

const LONG = [
  'a paper boat drifting down a rainy street at dusk, reflections of neon signs in the puddles',
  'a red fox running through fresh snow at dawn, slow motion, breath visible in the cold air',
  'an astronaut tending a small vegetable garden inside a glass dome on the surface of Mars',
];

describe.skipIf(!hasTmux)('at a real terminal (tmux)', () => {
  let world: World;
  let user: TestUser;
  beforeAll(async () => {
    world = await startWorld('pg');
    user = await makeUser(world, { active: 's2' });
    const file = join(user.out, 'prompts.txt');
    writeFileSync(file, `${LONG.join('\n')}\n`);
    const batch = await user.cli(['generate', '--file', file, '--creates-per-minute', '0', '--json']);
    expect(batch.code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it.each(WIDTHS)(
    'videos list, jobs list and the batch summary fit %i columns: short ids, the prompt gets the room',
    async (width) => {
      for (const args of [
        ['videos', 'list'],
        ['jobs', 'list'],
      ]) {
        const screen = await inTmux(user.env, user.out, args, width);
        expect(screen.joined.at(-1), args.join(' ')).toBe('__DONE__ 0');
        // No row wrapped, none wider than the terminal.
        expect(screen.lines, `${args.join(' ')} at ${width}`).toEqual(screen.joined);
        for (const line of screen.lines) expect(line.length).toBeLessThanOrEqual(width);
        const rowsShown = screen.lines.filter((l) => /^[0-9a-f]{8} {2}/.test(l));
        expect(rowsShown.length).toBeGreaterThanOrEqual(3);
        // Short ids, and the prompt keeps far more than 12 characters even at 80 columns.
        for (const row of rowsShown) expect(row).toMatch(/^[0-9a-f]{8} {2}\S.{30,}/);
        expect(screen.lines[0]).toMatch(/^ID {8}/);
        if (process.env.OCTO_SHOW_SCREENS) console.log(screen.lines.join('\n'));
      }
      const batchFile = join(user.out, `again-${width}.txt`);
      writeFileSync(batchFile, `${LONG.join('\n')}\n`);
      const screen = await inTmux(user.env, user.out, ['generate', '--file', batchFile, '--creates-per-minute', '0', '--no-download'], width);
      expect(screen.joined.at(-1)).toBe('__DONE__ 0');
      const table = screen.joined.slice(screen.joined.findIndex((l) => l.startsWith('LINE')));
      expect(table.length).toBeGreaterThanOrEqual(4);
      for (const line of table) expect(line.length).toBeLessThanOrEqual(width);
      // The summary rows are all there, unwrapped (the live progress above them was redrawn).
      expect(table.filter((l) => /^\s*\d+ {2}[0-9a-f]{8} {2}/.test(l))).toHaveLength(3);
      if (process.env.OCTO_SHOW_SCREENS) console.log(screen.lines.join('\n'));
    },
    60_000,
  );

  it('times are local on a terminal and UTC ISO in --json and --csv', async () => {
    const [job] = (await user.cli(['jobs', 'list', '--json', '--limit', '1'])).json();
    const created = new Date(job.created_at);
    const local = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/New_York',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(created)
      .replace(',', '');
    const screen = await inTmux(user.env, user.out, ['jobs', 'list', '--limit', '1'], 120, { tz: 'America/New_York' });
    expect(screen.lines.join('\n')).toContain(local);
    expect(job.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const csv = await user.cli(['jobs', 'list', '--csv', '--limit', '1'], { env: { ...user.env, TZ: 'America/New_York' } });
    expect(csv.stdout).toContain(created.toISOString());
  }, 30_000);

  it('a limited list says how many there are', async () => {
    const screen = await inTmux(user.env, user.out, ['jobs', 'list', '--limit', '2'], 100);
    expect(screen.lines.join('\n')).toMatch(/showing 2 of \d+ \(--limit N for more\)/);
    const piped = await user.cli(['jobs', 'list', '--limit', '2']);
    expect(piped.stdout).not.toContain('showing');
  }, 30_000);

  it("a generate's estimate line fits 80 columns for the usual values", async () => {
    await world.db.query(
      `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version, is_active, creates_per_minute)
       VALUES ($1, 'main', $2, $3, 'sora-2', 'sora-2', FALSE, 0)`,
      [user.userId, world.emulator.url, API_KEY],
    );
    const args = ['generate', 'a paper boat on a rainy street', '--profile', 'main', '--size', '1280x720', '--seconds', '8', '--dry-run'];
    const screen = await inTmux(user.env, user.out, args, 80);
    expect(screen.joined.at(-1)).toBe('__DONE__ 0');
    expect(screen.joined).toContain('Estimated cost: $0.80 (sora-2, 1280x720, 8 s, text-to-video) on profile main');
    // Nothing wrapped, the dry run's record included.
    expect(screen.lines).toEqual(screen.joined);
    for (const line of screen.lines) expect(line.length).toBeLessThanOrEqual(80);
  }, 30_000);
});

describe.skipIf(!hasTmux)('Ctrl-C at a real terminal (tmux)', () => {
  let world: World;
  let user: TestUser;
  beforeAll(async () => {
    world = await startWorld('pg', { jobMs: 60_000 });
    user = await makeUser(world, { active: 's2' });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('a single generate says it keeps running and how to pick it up (exit 130)', async () => {
    const screen = await inTmux(user.env, user.out, ['generate', 'a slow paper boat'], 100, { keys: [{ after: /job\s+(queued|in_progress)/, send: 'C-c' }] });
    const text = screen.joined.join('\n');
    expect(text).toMatch(/__DONE__ 130/);
    expect(text).toMatch(/keeps running at the service/);
    expect(text).toMatch(/octo jobs wait [0-9a-f-]{36}/);
  }, 60_000);
});

describe.skipIf(!hasTmux)('long work at a real terminal (tmux)', () => {
  let world: World;
  let user: TestUser;
  beforeAll(async () => {
    world = await startWorld('pg', { jobMs: 4000 });
    user = await makeUser(world, { active: 's2' });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  // Skipped: it shows an open defect, not a flaky test. With --concurrency 3 and 2 creates per
  // window, the workers race for the window's slots: a line counting down to its turn (1 s) loses
  // it to a later line and waits a whole window again (6 s), so paced lines are not created in file
  // order. Unskip once the quota is handed out in file order (issue 23, item 10).
  it('a line waiting for quota counts down to the next create, and the totals clock runs', async () => {
    writeFileSync(join(user.out, 'paced.txt'), ['paced one', 'paced two', 'paced three'].join('\n'));
    const into: string[] = [];
    const env = { ...user.env, OCTO_QUOTA_WINDOW_MS: '8000' };
    const screen = await inTmux(env, user.out, ['generate', '--file', 'paced.txt', '--creates-per-minute', '2', '--concurrency', '3'], 120, {
      snapshots: { after: /waiting for quota, next create in \d+ s/, gapMs: 2100, into },
    });
    expect(screen.joined.at(-1)).toBe('__DONE__ 0');
    expect(into).toHaveLength(2);
    if (process.env.OCTO_SHOW_SCREENS) console.log(into.join('\n=====\n'));
    // The live row of one line, read in both snapshots (another line may be waiting in the first
    // and created by the second: the first match of the screen could be either).
    const waitingRows = (t: string) => new Map([...t.matchAll(/line (\d+) {2}waiting for quota, next create in (\d+) s/g)].map((m) => [m[1], Number(m[2])]));
    const [first, second] = [waitingRows(into[0]!), waitingRows(into[1]!)];
    const line = [...first.keys()].find((k) => second.has(k));
    expect(line, into.join('\n=====\n')).toBeDefined();
    const clock = (t: string) => /waiting · (\d+)s/.exec(t)?.[1] ?? /· (\d+)s$/m.exec(t)?.[1];
    expect(first.get(line!)).toBeGreaterThan(second.get(line!)!);
    expect(Number(clock(into[1]!))).toBeGreaterThan(Number(clock(into[0]!)));
  }, 60_000);
});
