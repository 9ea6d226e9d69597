import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureError } from '../../src/core/errors.js';
import { sessionScope } from '../../src/db/connection/authed.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { makeUser, startWorld, type World, expectNoSecretsInTranscript } from './helpers.js';
import { capture } from '../support/defined.js';

let world: World;
beforeAll(async () => {
  world = await startWorld('pg', { jobMs: 500 });
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await world?.close();
});

function abortAfterCreates(n: number): AbortController {
  const controller = new AbortController();
  const start = world.emulator.stats.creates;
  const timer = setInterval(() => {
    const now = world.emulator.stats.creates;
    if (now['sora-1'] + now['sora-2'] - start['sora-1'] - start['sora-2'] >= n) {
      clearInterval(timer);
      controller.abort();
    }
  }, 5);
  return controller;
}

describe('Ctrl-C', () => {
  it('a single generate: exit 130 at once (its create cut off, which may have reached the service), jobs wait finds the job', async () => {
    const user = await makeUser(world, { active: 's2' });
    const r = await user.cli(['generate', 'interrupted once'], { signal: abortAfterCreates(1).signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/keeps running at the service|may have reached the service/);
    expect(r.stderr).not.toMatch(/remotely/);
    const id = capture(/octo jobs wait ([0-9a-f-]{8,36})/, r.stderr);
    const waited = await user.cli(['jobs', 'wait', id, '--json']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.json().status).toBe('completed');
  });

  it('a batch: exit 130 with the --resume hint; the resume completes every line with one create each', async () => {
    const user = await makeUser(world, { active: 's2' });
    writeFileSync(join(user.out, 'b.txt'), ['ctrl-c 1', 'ctrl-c 2', 'ctrl-c 3', 'ctrl-c 4', 'ctrl-c 5'].join('\n'));
    const before = world.emulator.stats.creates['sora-2'];
    const r = await user.cli(['generate', '--file', 'b.txt', '--concurrency', '2', '--creates-per-minute', '0'], { signal: abortAfterCreates(2).signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('continue it with: octo generate --file b.txt --resume');
    const resumed = await user.cli(['generate', '--file', 'b.txt', '--resume', '--json', '--creates-per-minute', '0']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json().map((x: any) => x.status)).toEqual(Array(5).fill('completed'));
    expect(world.emulator.stats.creates['sora-2'] - before).toBe(5);
  });
});

describe('progress on a terminal', () => {
  it('a batch draws one live line per running job and a totals line; piped output stays data only', async () => {
    const user = await makeUser(world, { active: 's2' });
    writeFileSync(join(user.out, 't.txt'), 'tty one\ntty two\ntty three\n');
    const r = await user.cli(['generate', '--file', 't.txt', '--creates-per-minute', '0'], { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/line \d+ {2}(queued|in_progress)/);
    expect(r.stderr).toMatch(/\d done · \d failed · \d running · \d waiting/);
    expect(r.stderr).toContain('\u001b[');
    expect(r.stdout).toContain('completed');
  });

  it('a single job shows a spinner with status, progress and elapsed time', async () => {
    const user = await makeUser(world, { active: 's2' });
    const r = await user.cli(['generate', 'spinner'], { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/job {2}in_progress \d+% {2}\d+s/);
  });

  it('--quiet and --json keep stderr silent', async () => {
    const user = await makeUser(world, { active: 's2' });
    const r = await user.cli(['generate', 'quiet one', '--quiet'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('a lost database connection', () => {
  it('mid-batch (right after a create, before its job id is written): exit 6, then --resume finds the job and submits nothing twice', async () => {
    const user = await makeUser(world, { active: 's2' });
    writeFileSync(join(user.out, 'db.txt'), ['db lost 1', 'db lost 2', 'db lost 3', 'db lost 4'].join('\n'));
    const real = await openDatabase(resolveDatabase({ env: world.database.env, dataDir: '/nonexistent' }), { env: world.database.env });
    let lost = false;
    const flaky: Db = {
      driver: real.driver,
      forSession: (ref) => sessionScope(flaky, ref),
      label: real.label,
      key: real.key,
      get roundTrips() {
        return real.roundTrips;
      },
      query: async (text, values) => {
        if (text.includes('SET job_id = $2')) lost = true;
        if (lost) throw new FailureError(`cannot reach the database at ${real.label}: connection terminated`);
        return real.query(text, values);
      },
      transaction: async (statements) => {
        if (lost) throw new FailureError(`cannot reach the database at ${real.label}: connection terminated`);
        return real.transaction(statements);
      },
      close: async () => undefined,
    };
    const before = world.emulator.stats.creates['sora-2'];
    try {
      const r = await user.cli(['generate', '--file', 'db.txt', '--concurrency', '1', '--creates-per-minute', '0', '--json'], {
        overrides: { db: async () => flaky },
      });
      expect(r.code).toBe(6);
      expect(r.json().map((x: any) => x.status)).toEqual(['error', 'error', 'error', 'error']);
      expect(r.stderr).toContain('--resume');
    } finally {
      await real.close();
    }
    expect(world.emulator.stats.creates['sora-2'] - before).toBe(1);
    const resumed = await user.cli(['generate', '--file', 'db.txt', '--resume', '--creates-per-minute', '0']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('line 1: found job video_');
    const rows = await world.db.query(`SELECT status FROM video_generations WHERE user_id = $1`, [user.userId]);
    expect(rows.map((x) => x.status)).toEqual(Array(4).fill('completed'));
    expect(world.emulator.stats.creates['sora-2'] - before).toBe(4);
  });
});

describe('Ctrl-C while a line waits', () => {
  it('during create pacing: the waiting lines are interrupted, not errors ("The operation was aborted")', async () => {
    const user = await makeUser(world, { active: 's2' });
    writeFileSync(join(user.out, 'paced.txt'), ['paced 1', 'paced 2', 'paced 3'].join('\n'));
    // The resource's create window is shared through the database: forget the creates of the
    // earlier tests of this file, so line 1 goes at once.
    await world.db.query('DELETE FROM octo_create_pacing');
    // One create per minute: lines 2 and 3 sleep in the limiter when Ctrl-C comes.
    const r = await user.cli(['generate', '--file', 'paced.txt', '--concurrency', '3', '--creates-per-minute', '1'], { signal: abortAfterCreates(1).signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('continue it with: octo generate --file paced.txt --resume');
    // Three workers race for the one create place: whichever line wins was sent (Ctrl-C cut its
    // create off; the resume looks for it first), the others never were.
    const sent = await world.db.query(`SELECT id FROM video_generations WHERE user_id = $1 AND submitted_at IS NOT NULL`, [user.userId]);
    expect(sent).toHaveLength(1);
    expect(r.stderr).not.toMatch(/aborted|line \d+: error/i);
  });
});
