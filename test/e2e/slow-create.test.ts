import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { API_KEY, makeUser, startWorld, type World } from '../generate/helpers.js';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.js';
import { octoProcess, until } from './octo-process.js';

/**
 * A create slower than the lease: the process that sent it is killed while a proxy holds the
 * requests, and a resume starts once the lease has expired but before the held creates reach the
 * service. Whether a request that left a dead process can still arrive has nothing to do with the
 * lease: the resume must wait out the create deadline and find the jobs, not create them again.
 */

const LINES = 4;
/** The proxy holds each create this long: longer than the lease, shorter than the create deadline. */
const HOLD_MS = 5000;
const ENV = { OCTO_LEASE_MS: '1000', OCTO_HTTP_TIMEOUT_MS: '8000' };

let world: World;
let emulator: Emulator;
let proxy: HoldingProxy;
const creates = new Map<string, number>();

beforeAll(async () => {
  world = await startWorld('pg');
  emulator = await startEmulator({
    jobMs: 200,
    early404Ms: 20,
    apiKey: API_KEY,
    onCreate: (job) => void creates.set(job.prompt, (creates.get(job.prompt) ?? 0) + 1),
  });
  proxy = await startHoldingProxy(emulator.url, HOLD_MS);
});
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
  await world?.close();
});

describe('a create slower than the lease, its process killed', () => {
  it('a --resume after the lease expired waits for the create deadline and creates nothing twice', async () => {
    const user = await makeUser(world, { endpoint: proxy.url, active: 's2' });
    const prompts = Array.from({ length: LINES }, (_, i) => `slow create line ${i + 1}`);
    writeFileSync(join(user.out, 'batch.txt'), prompts.join('\n'));
    const args = ['generate', '--file', 'batch.txt', '--json', '--concurrency', String(LINES), '--creates-per-minute', '0'];
    const first = octoProcess(user, args, ENV);
    await until(() => proxy.received() === LINES, 30_000, 'every create sent to the proxy');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(creates.size, 'a create reached the service before the kill: the scenario did not happen').toBe(0);
    // The lease (1 s) has expired; the held creates (5 s) have not reached the service yet.
    await new Promise((r) => setTimeout(r, 1200));
    const resumed = await octoProcess(user, [...args.slice(0, 3), '--resume', ...args.slice(3)], ENV).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).map((r: { status: string }) => r.status)).toEqual(prompts.map(() => 'completed'));
    expect(prompts.map((p) => creates.get(p) ?? 0)).toEqual(prompts.map(() => 1));
    const rows = await world.db.query<{ job_id: string }>(`SELECT job_id FROM video_generations WHERE user_id = $1`, [user.userId]);
    expect(rows).toHaveLength(LINES);
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(LINES);
  });
});

describe('Ctrl-C while a create hangs', () => {
  it('answers at once, says the create may have reached the service; jobs cancel exits 0; the job made later is recorded as an extra, paid job of the line', async () => {
    const user = await makeUser(world, { endpoint: proxy.url, active: 's2' });
    const prompt = 'interrupted while its create hangs';
    const before = proxy.received();
    const run = octoProcess(user, ['generate', prompt, '--seconds', '4', '--creates-per-minute', '0'], ENV);
    await until(() => proxy.received() === before + 1, 30_000, 'the create sent to the proxy');
    run.child.kill('SIGINT');
    const ended = await run.done;
    // It ended while the proxy still held the create: Ctrl-C did not wait for the request.
    expect(creates.get(prompt) ?? 0).toBe(0);
    expect(ended.code, ended.stderr).toBe(130);
    expect(ended.stderr).toMatch(/may have reached the service/);
    expect(ended.stderr).toMatch(/looks for it in the service's list before creating it again/);
    expect(ended.stderr).not.toMatch(/UND_ERR|ECONN|remotely/);
    const [row] = await world.db.query<{ id: string; submitted_at: Date | null; job_id: string | null }>(
      `SELECT id, submitted_at, job_id FROM video_generations WHERE user_id = $1`,
      [user.userId],
    );
    expect(row!.submitted_at).not.toBeNull();
    expect(row!.job_id).toBeNull();

    const cancel = await octoProcess(user, ['jobs', 'cancel', row!.id], ENV).done;
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stderr).toContain('the service may have made the job');
    // The held create reaches the service after all; reconcile records it against the line.
    await until(() => (creates.get(prompt) ?? 0) === 1, 30_000, 'the held create passed on');
    const reconciled = await octoProcess(user, ['jobs', 'reconcile', '--json'], ENV).done;
    expect(reconciled.code, reconciled.stderr).toBe(0);
    expect(JSON.parse(reconciled.stdout).filter((r: { recorded_as: string }) => r.recorded_as === 'extra')).toEqual([
      expect.objectContaining({ line_id: row!.id, prompt }),
    ]);
  });
});
