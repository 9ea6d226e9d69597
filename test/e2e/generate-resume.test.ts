import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { API_KEY, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { runCli } from '../support/run-cli.js';

/**
 * Crash safety, proven on the built binary: a batch is killed with SIGKILL at many points (the
 * k-th create seen by the emulator, then 0–700 ms later: before the create's answer arrives,
 * while polling, downloading, recording), then resumed. Every line must end completed exactly
 * once in the database, and the emulator must have seen exactly one create per line.
 */

const root = join(import.meta.dirname, '..', '..');
const LINES = 7;

let world: World;
let emulator: Emulator;
/** Creates seen per prompt; and what to do on each create. */
const creates = new Map<string, number>();
let onCreate: ((prompt: string) => void) | undefined;

beforeAll(async () => {
  world = await startWorld('pg');
  emulator = await startEmulator({
    jobMs: 300,
    early404Ms: 20,
    apiKey: API_KEY,
    onCreate: (job) => {
      creates.set(job.prompt, (creates.get(job.prompt) ?? 0) + 1);
      onCreate?.(job.prompt);
    },
  });
});
afterAll(async () => {
  await emulator?.close();
  await world?.close();
});

function octo(
  user: TestUser,
  args: string[],
): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(root, 'bin', 'octo.js'), ...args], { cwd: user.out, env: { ...user.env, OCTO_POLL_MS: '20' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

interface Scenario {
  name: string;
  profile: 's1' | 's2';
  killAtCreate: number;
  delayMs: number;
  finish: 'resume' | 'jobs-wait';
}

const scenarios: Scenario[] = [
  ...[0, 0, 20, 80, 150, 250, 100].map((delayMs, i) => ({
    name: `s2-k${i + 1}-d${delayMs}`,
    profile: 's2' as const,
    killAtCreate: i + 1,
    delayMs,
    finish: 'resume' as const,
  })),
  { name: 's1-k1-d0', profile: 's1', killAtCreate: 1, delayMs: 0, finish: 'resume' },
  { name: 's1-k3-d200', profile: 's1', killAtCreate: 3, delayMs: 200, finish: 'resume' },
  { name: 's2-k2-d0-jobs-wait', profile: 's2', killAtCreate: 2, delayMs: 0, finish: 'jobs-wait' },
];

const measured: string[] = [];

describe('a batch killed with SIGKILL, then resumed', () => {
  afterAll(() => {
    process.stdout.write(`[measure] kill/resume scenarios:\n${measured.map((m) => `  ${m}`).join('\n')}\n`);
  });

  it.each(scenarios)('$name: each line completed exactly once, one create per line', async (s) => {
    const user = await makeUser(world, { endpoint: emulator.url, active: s.profile });
    const prompts = Array.from({ length: LINES }, (_, i) => `${s.name} line ${i + 1}`);
    writeFileSync(join(user.out, 'batch.txt'), prompts.join('\n'));
    const mine = () => prompts.reduce((sum, p) => sum + (creates.get(p) ?? 0), 0);

    const first = octo(user, ['generate', '--file', 'batch.txt', '--json', '--concurrency', '4', '--creates-per-minute', '0']);
    onCreate = (prompt) => {
      if (!prompts.includes(prompt) || mine() !== s.killAtCreate) return;
      if (s.delayMs === 0) first.child.kill('SIGKILL');
      else setTimeout(() => first.child.kill('SIGKILL'), s.delayMs);
    };
    const killed = await first.done;
    onCreate = undefined;
    // The scenario is only a crash test if the kill landed before the batch ended by itself.
    expect(killed.signal, `exit ${killed.code}: ${killed.stderr}`).toBe('SIGKILL');
    const atKill = await world.db.query<{ status: string; job_id: string | null; submitted_at: Date | null }>(
      `SELECT status, job_id, submitted_at FROM video_generations WHERE user_id = $1`,
      [user.userId],
    );
    const orphans = atKill.filter((r) => r.submitted_at && !r.job_id).length;
    const completedAtKill = atKill.filter((r) => r.status === 'completed').length;
    expect(completedAtKill, 'every line was already done when the kill came').toBeLessThan(LINES);

    let resumed;
    if (s.finish === 'resume') {
      resumed = await octo(user, ['generate', '--file', 'batch.txt', '--resume', '--json', '--creates-per-minute', '0']).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      const results = JSON.parse(resumed.stdout);
      expect(results.map((r: any) => [r.line, r.status])).toEqual(prompts.map((_, i) => [i + 1, 'completed']));
    } else {
      const r = await runCli(['jobs', 'wait', '--all', '--json', '--creates-per-minute', '0'], { env: user.env, cwd: user.out });
      expect(r.code, r.stderr).toBe(0);
      expect(r.json().every((x: any) => x.status === 'completed')).toBe(true);
    }

    const rows = await world.db.query<{ batch_line: number; status: string; job_id: string; videos: number }>(
      `SELECT g.batch_line, g.status, g.job_id, (SELECT count(*)::int FROM video_metadata m WHERE m.generation_id = g.id) AS videos
         FROM video_generations g WHERE g.user_id = $1 ORDER BY g.batch_line`,
      [user.userId],
    );
    expect(rows.map((r) => r.batch_line)).toEqual(prompts.map((_, i) => i + 1));
    expect(rows.every((r) => r.status === 'completed' && r.videos === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(LINES);
    expect(prompts.map((p) => creates.get(p) ?? 0)).toEqual(prompts.map(() => 1));
    measured.push(
      `${s.name}: killed by ${killed.signal ?? `exit ${killed.code}`}; at the kill ${completedAtKill} completed, ${orphans} submitted without a job id; after ${s.finish}: ${LINES} completed, ${mine()} creates`,
    );
  });
});
