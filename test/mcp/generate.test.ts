import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseCreates } from '../../src/db/tables/pacing.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { resourceKey } from '../../src/generate/pacer.js';
import { octoProcess } from '../e2e/octo-process.js';
import { API_KEY, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { firstRow } from '../support/defined.js';
import { until } from '../support/until.js';
import { data, startMcp, toolError, type McpSession } from './client.js';

/**
 * The tools that spend money, driven as an agent drives them (the built bin/octo.js, the SDK's
 * Client over stdio, the emulator over HTTP, the embedded database and Postgres): generate answers
 * once its lines are recorded and submits them itself; wait follows them to their files with
 * progress notifications; cancel follows jobs cancel; two servers and a terminal racing on one
 * budget never pass it. The emulator counts creates per prompt: the money spent.
 */

describe.each(['embedded', 'pg'] as const)('octo mcp generate, wait and cancel on the %s database', (kind) => {
  let world: World;
  /** Jobs that take a minute: still running when a test cancels them. */
  let slow: Emulator;
  const creates = new Map<string, number>();
  const createsOf = (prompts: string[]) => prompts.map((p) => creates.get(p) ?? 0);
  const sessions: McpSession[] = [];
  const users: TestUser[] = [];
  const open = async (user: TestUser) => {
    const session = await startMcp(user);
    sessions.push(session);
    return session;
  };
  const user = async (o: { endpoint?: string } = {}) => {
    const made = await makeUser(world, { active: 's2', ...o });
    users.push(made);
    return made;
  };
  const rowsOf = (userId: string) =>
    world.db.query<{ id: string; status: string; job_id: string | null; estimated_cost: number; prompt: string }>(
      'SELECT id, status, job_id, estimated_cost::float8 AS estimated_cost, prompt FROM video_generations WHERE user_id = $1 ORDER BY created_at, batch_line',
      [userId],
    );

  beforeAll(async () => {
    world = await startWorld(kind, { onCreate: (job) => creates.set(job.prompt, (creates.get(job.prompt) ?? 0) + 1) });
    slow = await startEmulator({
      jobMs: 60_000,
      early404Ms: 20,
      apiKey: API_KEY,
      onCreate: (job) => creates.set(job.prompt, (creates.get(job.prompt) ?? 0) + 1),
    });
  }, 120_000);
  afterAll(async () => {
    const everything = sessions.flatMap((s) => [...s.results, s.stderr()]).join('\n');
    expect(everything.length).toBeGreaterThan(0);
    expect(everything).not.toContain(API_KEY);
    for (const u of users) expect(everything).not.toContain(u.env.OCTO_TOKEN);
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await slow?.close();
    await world?.close();
  });

  it('generate one and a batch of three, then wait with progress notifications until every video is downloaded and recorded', async () => {
    const u = await user();
    const mcp = await open(u);
    const one = data(await mcp.call('generate', { prompt: `${kind} a lighthouse at dusk`, tags: { take: '1' } }));
    expect(one.results).toEqual([
      expect.objectContaining({ id: expect.any(String), status: 'queued', prompt: `${kind} a lighthouse at dusk`, seconds: 4, estimated_cost: 0.4 }),
    ]);
    expect(one.total_cost).toBe(0.4);
    const prompts = ['first', 'second', 'third'].map((p) => `${kind} batch ${p}`);
    const batch = data(await mcp.call('generate', { seconds: 8, lines: [{ prompt: prompts[0] }, { prompt: prompts[1], seconds: 4 }, { prompt: prompts[2] }] }));
    expect(batch.results.map((r: any) => [r.line, r.status, r.seconds, r.estimated_cost])).toEqual([
      [1, 'queued', 8, 0.8],
      [2, 'queued', 4, 0.4],
      [3, 'queued', 8, 0.8],
    ]);
    expect(batch.total_cost).toBe(2);

    const ids = [one.results[0].id, ...batch.results.map((r: any) => r.id)];
    const notes: { progress: number; total?: number; message?: string }[] = [];
    const waited = data(await mcp.call('wait', { ids, timeout_seconds: 60 }, { onprogress: (p) => void notes.push(p), resetTimeoutOnProgress: true }));
    expect(waited.summary).toMatchObject({ lines: 4, completed: 4, failed: 0, unfinished: 0 });
    expect(waited.results.map((r: any) => [r.id, r.status])).toEqual(ids.map((id) => [id, 'completed']));
    for (const r of waited.results) {
      expect(r.files.length).toBe(1);
      expect(existsSync(r.files[0])).toBe(true);
      expect(r.files[0].startsWith(u.out)).toBe(true);
    }
    // Progress: notifications that always grow, never past the total (4 lines × 100). The SDK's
    // client hands a notification to onprogress a microtask late, so one that arrives with the
    // answer (the last, at the total) may be dropped: the answer carries the final states anyway.
    expect(notes.length).toBeGreaterThan(0);
    for (const [i, n] of notes.entries()) {
      expect(n.total).toBe(400);
      expect(n.progress).toBeLessThanOrEqual(400);
      expect(n.message).toMatch(/^\d of 4 finished/);
      if (i > 0) expect(n.progress).toBeGreaterThan(notes[i - 1]!.progress);
    }
    // Each line was created once, by the server that recorded it.
    expect(createsOf([`${kind} a lighthouse at dusk`, ...prompts])).toEqual([1, 1, 1, 1]);

    // What the agent sees agrees with the terminal.
    const listed = await u.cli(['videos', 'list', '--json']);
    expect(data(await mcp.call('list_videos', {}))).toEqual({ videos: listed.json(), total: 4 });
    const costs = await u.cli(['costs', '--tz', 'UTC', '--json']);
    expect(data(await mcp.call('costs', { tz: 'UTC' }))).toEqual(costs.json());
    expect(costs.json()).toMatchObject({ total_cost: 2.4, count: 4 });
    const status = data(await mcp.call('job_status', { id: ids[0] }));
    expect(status).toMatchObject({ status: 'completed', tags: { take: '1' }, files: waited.results[0].files });
    // A second wait on finished lines answers at once with the same states.
    expect(data(await mcp.call('wait', { ids: [ids[0]] })).results[0]).toEqual(waited.results[0]);
  });

  it('refuses before spending: a bad size, a cost above max_cost_usd, an unknown profile, an unknown id; the next call works', async () => {
    const u = await user();
    const mcp = await open(u);
    const bad = toolError(await mcp.call('generate', { prompt: 'x', size: '999x999' }));
    const cli = await u.cli(['generate', 'x', '--size', '999x999', '--json']);
    expect(bad).toEqual(cli.json().error);
    // Errors name the tool's arguments, never the command's flags.
    const above = toolError(await mcp.call('generate', { prompt: 'x', seconds: 12, max_cost_usd: 1 }));
    expect(above).toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('above `max_cost_usd` $1.00') });
    expect(JSON.stringify(above)).not.toContain('--max-cost');
    expect(toolError(await mcp.call('generate', { lines: [{ prompt: 'a' }, { prompt: 'b', profile: 'nope' }] }))).toMatchObject({
      code: 'usage',
      message: expect.stringContaining('lines:2:'),
    });
    expect(toolError(await mcp.call('generate', {}))).toMatchObject({ code: 'usage' });
    expect(toolError(await mcp.call('estimate', {}))).toMatchObject({ code: 'usage', message: 'give a prompt or lines' });
    expect(toolError(await mcp.call('estimate', { prompt: 'a', lines: [{ prompt: 'b' }] }))).toMatchObject({ message: 'give a prompt or lines, not both' });
    expect(toolError(await mcp.call('wait', { ids: ['no-such-job'] }))).toMatchObject({ code: 'not_found' });
    expect(toolError(await mcp.call('cancel', { ids: ['../../x'] }))).toMatchObject({ code: 'not_found' });
    expect(await rowsOf(u.userId)).toEqual([]);
    const ok = data(await mcp.call('generate', { prompt: `${kind} after the refusals` }));
    expect(ok.results[0].status).toBe('queued');
    await until(async () => (await rowsOf(u.userId))[0]?.job_id !== null, 20_000, 'the submission');
  });

  it('cancel: a line not yet submitted and a sora-1 job are canceled; a sora-2 job that runs is refused as jobs cancel refuses it', async () => {
    const u = await user({ endpoint: slow.url });
    const mcp = await open(u);
    const [s1, s2] = await Promise.all([
      mcp.call('generate', { prompt: `${kind} sora-1 to cancel`, profile: 's1' }).then(data),
      mcp.call('generate', { prompt: `${kind} sora-2 runs on` }).then(data),
    ]);
    const submitted = async (id: string) => data(await mcp.call('job_status', { id })).job_id !== null;
    await until(async () => (await submitted(s1.results[0].id)) && (await submitted(s2.results[0].id)), 20_000, 'both submitted');

    const canceled = data(await mcp.call('cancel', { ids: [s1.results[0].id] }));
    expect(canceled.results).toEqual([expect.objectContaining({ id: s1.results[0].id, status: 'canceled', canceled: true, deleted_at_service: true })]);
    expect(data(await mcp.call('cancel', { ids: [s1.results[0].id] })).results[0]).toMatchObject({ status: 'canceled', canceled: false });

    const refused = toolError(await mcp.call('cancel', { ids: [s2.results[0].id] }));
    const cli = await u.cli(['jobs', 'cancel', s2.results[0].id, '--json']);
    expect(refused).toEqual(cli.json().error);
    expect(refused.message).toContain('sora-2 has no cancel API');

    // A refusal does not stop the others: the refused id comes first here, and the one after it is
    // still canceled (a refusal must not let a cancelable line be submitted and billed).
    const queued = data(await mcp.call('generate', { prompt: `${kind} sora-1 second`, profile: 's1' }));
    await until(() => submitted(queued.results[0].id), 20_000, 'the second submitted');
    const mixed = data(await mcp.call('cancel', { ids: [s2.results[0].id, queued.results[0].id] }));
    expect(mixed.results).toEqual([expect.objectContaining({ id: queued.results[0].id, status: 'canceled', canceled: true })]);
    expect(mixed.refused).toEqual([{ id: s2.results[0].id, error: expect.objectContaining({ code: refused.code, message: refused.message }) }]);
    const rows = await rowsOf(u.userId);
    expect(
      rows
        .filter((r) => r.status === 'canceled')
        .map((r) => r.id)
        .sort(),
    ).toEqual([s1.results[0].id, queued.results[0].id].sort());
    expect(rows.find((r) => r.id === s2.results[0].id)?.status).toMatch(/^(queued|running)$/);

    // A line still waiting for the create quota: the cancel wins, and it is never created.
    await pauseCreates(world.db, resourceKey({ endpoint: slow.url, deployment: 'sora-2' }), 2_000);
    const held = data(await mcp.call('generate', { prompt: `${kind} never sent` }));
    const early = data(await mcp.call('cancel', { ids: [held.results[0].id] }));
    expect(early.results[0]).toMatchObject({ id: held.results[0].id, status: 'canceled', canceled: true, deleted_at_service: false });
    const claimed = async () =>
      firstRow(await world.db.query<{ claimed_by: string | null }>('SELECT claimed_by FROM video_generations WHERE id = $1', [held.results[0].id])).claimed_by;
    await until(async () => (await claimed()) === null, 20_000, 'the server to let the line go');
    expect(createsOf([`${kind} never sent`])).toEqual([0]);
  });

  it('two MCP servers and a terminal race on a $1.20 budget with $0.40 lines: exactly 3 are recorded and created, the others refused by the budget', async () => {
    const u = await user();
    expect((await u.cli(['costs', 'budget', 'set', '--monthly', '1.2'])).code).toBe(0);
    const [a, b] = await Promise.all([open(u), open(u)]);
    const prompts = Array.from({ length: 5 }, (_, i) => `${kind} race ${i}`);
    const terminal = octoProcess(u, ['generate', prompts[4]!, '--no-wait', '--json']);
    const calls = await Promise.all([a, a, b, b].map((server, i) => server.call('generate', { prompt: prompts[i] })));
    const cli = await terminal.done;
    const admitted = calls.filter((c) => !c.isError).length + (cli.code === 0 ? 1 : 0);
    const refusals = [...calls.filter((c) => c.isError).map((c) => toolError(c).code), ...(cli.code === 0 ? [] : [JSON.parse(cli.stdout).error.code])];
    expect({ admitted, refusals }).toEqual({ admitted: 3, refusals: ['budget_exceeded', 'budget_exceeded'] });
    if (cli.code !== 0) expect(cli.code).toBe(5);
    const rows = await rowsOf(u.userId);
    expect(rows.length).toBe(3);
    expect(rows.reduce((sum, r) => sum + r.estimated_cost, 0)).toBeCloseTo(1.2, 5);
    // Every admitted line reaches the service once; no refused one ever does.
    await until(() => createsOf(prompts).reduce((x, y) => x + y, 0) === 3, 20_000, 'three creates');
    const recorded = new Set(rows.map((r) => r.prompt));
    expect(createsOf(prompts)).toEqual(prompts.map((p) => (recorded.has(p) ? 1 : 0)));
    const budget = data(await a.call('budget', {}));
    expect(budget.budgets[0]).toMatchObject({ monthly_usd: 1.2, remaining: 0 });
  });
});
