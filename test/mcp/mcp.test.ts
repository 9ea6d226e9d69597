import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { firstRow } from '../support/defined.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { until } from '../support/until.js';
import { data, startMcp, toolError, type McpSession } from './client.js';

/**
 * `octo mcp` as an agent drives it: the built bin/octo.js as a child process, the SDK's own
 * Client and StdioClientTransport, the emulator over HTTP, on the embedded database and on
 * Postgres. Each result is compared with what the matching command prints with --json.
 */

const root = join(import.meta.dirname, '..', '..');
const TOOL_NAMES = ['estimate', 'generate', 'job_status', 'wait', 'cancel', 'list_videos', 'costs', 'budget'];

describe.each(['embedded', 'pg'] as const)('octo mcp on the %s database', (kind) => {
  let world: World;
  const sessions: McpSession[] = [];
  const users: TestUser[] = [];
  const open = async (user: TestUser, args: string[] = [], env: Record<string, string> = {}) => {
    const session = await startMcp(user, args, env);
    sessions.push(session);
    return session;
  };
  const user = async () => {
    const made = await makeUser(world, { active: 's2' });
    users.push(made);
    return made;
  };

  beforeAll(async () => {
    world = await startWorld(kind);
  }, 120_000);
  afterAll(async () => {
    // No secret in any result or log line of any server of this file.
    const everything = sessions.flatMap((s) => [...s.results, s.stderr()]).join('\n');
    expect(everything.length).toBeGreaterThan(0);
    expect(everything).not.toContain(API_KEY);
    for (const u of users) expect(everything).not.toContain(u.env.OCTO_TOKEN);
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await world?.close();
  });

  it('lists its tools, each with a JSON Schema for its arguments and its result, and says what each costs', async () => {
    const mcp = await open(await user());
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(tool.outputSchema).toMatchObject({ type: 'object' });
      expect(tool.description).toMatch(/free|spends (money|nothing)/i);
    }
    const estimate = tools.find((t) => t.name === 'estimate')!;
    expect(Object.keys(estimate.inputSchema.properties ?? {})).toEqual(['prompt', 'seconds', 'size', 'variants', 'image', 'profile', 'tags', 'lines']);
    expect(estimate.annotations).toMatchObject({ readOnlyHint: true });
    expect(mcp.client.getInstructions()).toContain('estimate first');
  });

  it('estimate: one prompt and a list of lines, as generate --dry-run --json prices them; nothing recorded', async () => {
    const u = await user();
    const mcp = await open(u);
    const one = data(await mcp.call('estimate', { prompt: 'a paper boat', seconds: 8 }));
    const cli = await u.cli(['generate', 'a paper boat', '--seconds', '8', '--dry-run', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(one).toEqual({ results: [cli.json()], total_cost: 0.8 });

    const batch = data(
      await mcp.call('estimate', {
        seconds: 4,
        lines: [{ prompt: 'line one' }, { prompt: 'line two', seconds: 12 }, { prompt: 'line three', profile: 's1', size: '480x480', variants: 2 }],
      }),
    );
    expect(batch.results.map((r: any) => [r.line, r.status, r.id, r.profile, r.seconds, r.estimated_cost])).toEqual([
      [1, 'dry-run', null, 's2', 4, 0.4],
      [2, 'dry-run', null, 's2', 12, 1.2],
      [3, 'dry-run', null, 's1', 4, 0.1],
    ]);
    expect(batch.total_cost).toBe(1.7);
    // The settings file is read for each call: a default changed in a terminal meanwhile applies.
    expect((await u.cli(['config', 'set', 'default-seconds', '12'])).code).toBe(0);
    expect(data(await mcp.call('estimate', { prompt: 'a paper boat' })).results[0]).toMatchObject({ seconds: 12, estimated_cost: 1.2 });
    const recorded = await world.db.query<{ n: number }>('SELECT count(*)::int AS n FROM video_generations WHERE user_id = $1', [u.userId]);
    expect(recorded).toEqual([{ n: 0 }]);
  });

  it('a bad size is a tool error with the code and message of --json (the server keeps serving); so is a bad argument', async () => {
    const u = await user();
    const mcp = await open(u);
    const bad = toolError(await mcp.call('estimate', { prompt: 'x', size: '999x999' }));
    const cli = await u.cli(['generate', 'x', '--size', '999x999', '--dry-run', '--json']);
    expect(cli.code).toBe(2);
    expect(bad).toEqual(cli.json().error);
    expect(bad.code).toBe('usage');
    expect(toolError(await mcp.call('estimate', { prompt: 'x', profile: 'nope' })).code).toBe('not_found');
    expect(toolError(await mcp.call('estimate', { prompt: 'x', lines: [{ prompt: 'y' }] })).code).toBe('usage');
    // Refused by the schema (an unknown key is never dropped silently: money is at stake).
    // …and answered like every other tool error, {code, message, hint}: not the SDK's plain text.
    const unknown = toolError(await mcp.call('estimate', { prompt: 'x', duration: 8 }));
    expect(unknown).toMatchObject({ code: 'usage', message: expect.stringContaining('duration'), hint: expect.stringContaining('inputSchema') });
    expect(toolError(await mcp.call('job_status', {}))).toMatchObject({ code: 'usage', message: expect.stringContaining('id') });
    expect(toolError(await mcp.call('wait', { ids: ['abcd'], timeout_seconds: 99_999_999 })).code).toBe('usage');
    expect(toolError(await mcp.call('list_videos', { limit: 1e20 })).code).toBe('usage');
    expect(toolError(await mcp.call('costs', { by: 'nope' })).code).toBe('usage');
    expect(data(await mcp.call('estimate', { prompt: 'x' })).results[0].estimated_cost).toBe(0.4);
  });

  it('not logged in: every tool answers a tool error saying octo login', async () => {
    const u = await user();
    const mcp = await open(u, [], { OCTO_TOKEN: '' });
    for (const [name, args] of [
      ['estimate', { prompt: 'x' }],
      ['generate', { prompt: 'x' }],
      ['job_status', { id: 'abcd' }],
      ['wait', { ids: ['abcd'] }],
      ['cancel', { ids: ['abcd'] }],
      ['costs', {}],
      ['budget', {}],
      ['list_videos', {}],
    ] as const) {
      const error = toolError(await mcp.call(name, args));
      expect(error).toMatchObject({ code: 'auth', hint: 'run: octo login' });
    }
  });

  it('list_videos, job_status, costs and budget agree with videos list, jobs show, costs and costs budget show --json', async () => {
    const u = await user();
    for (const prompt of ['a red kite', 'a blue kite']) {
      const made = await u.cli(['generate', prompt, '--json', '--tag', 'run=mcp']);
      expect(made.code, made.stderr).toBe(0);
    }
    expect((await u.cli(['costs', 'budget', 'set', '--monthly', '5'])).code).toBe(0);
    const mcp = await open(u);

    const videos = data(await mcp.call('list_videos', {}));
    const listed = await u.cli(['videos', 'list', '--json']);
    expect(videos).toEqual({ videos: listed.json(), total: 2 });
    const found = data(await mcp.call('list_videos', { search: 'RED', limit: 5 }));
    expect(found.videos.map((v: any) => v.prompt)).toEqual(['a red kite']);
    const since = toolError(await mcp.call('list_videos', { since: 'yesterday-ish' }));
    expect(since.code).toBe('usage');
    expect(since.message).toContain('`since`');
    expect(JSON.stringify(since)).not.toContain('--since');
    for (const [args, flags, n] of [
      [{ tag: 'run=mcp' }, ['--tag', 'run=mcp'], 2],
      [{ tag: 'run' }, ['--tag', 'run'], 2],
      [{ tag: 'run=other' }, ['--tag', 'run=other'], 0],
      [{ status: 'completed', search: 'blue' }, ['--status', 'completed', '--search', 'blue'], 1],
      [{ status: 'failed' }, ['--status', 'failed'], 0],
    ] as const) {
      const filtered = data(await mcp.call('list_videos', args));
      const cli = await u.cli(['videos', 'list', ...flags, '--json']);
      expect(filtered.videos).toEqual(cli.json());
      expect(filtered.videos.length).toBe(n);
    }
    // The grammar of videos list: relative values; until 1d is through the end of today.
    expect(data(await mcp.call('list_videos', { since: '7d' })).total).toBe(2);
    expect(data(await mcp.call('list_videos', { since: '24h', until: '1d' })).total).toBe(2);

    for (const by of ['model', 'tag'] as const) {
      const costs = data(await mcp.call('costs', { by, tz: 'UTC' }));
      const cli = await u.cli(['costs', '--by', by, '--tz', 'UTC', '--json']);
      expect(costs).toEqual(cli.json());
    }
    expect(data(await mcp.call('costs', { tz: 'UTC' })).total_cost).toBe(0.8);

    const [first] = listed.json();
    const generationId = firstRow(
      await world.db.query<{ generation_id: string }>('SELECT generation_id FROM video_metadata WHERE id = $1', [first.id]),
    ).generation_id;
    const job = data(await mcp.call('job_status', { id: generationId }));
    const shownJob = await u.cli(['jobs', 'show', generationId, '--json']);
    expect(job).toEqual(shownJob.json());
    expect(job).toMatchObject({ status: 'completed', tags: { run: 'mcp' }, files: [first.url] });
    expect(data(await mcp.call('job_status', { id: generationId.slice(0, 8) })).id).toBe(generationId);
    expect(data(await mcp.call('job_status', { id: job.job_id })).id).toBe(generationId);
    // An id is data: never a path or a URL segment.
    for (const id of ['../../etc/passwd', `${generationId}/../x`, 'nope']) expect(toolError(await mcp.call('job_status', { id })).code).toBe('not_found');

    const budget = data(await mcp.call('budget', { tz: 'UTC' }));
    const shown = await u.cli(['costs', 'budget', 'show', '--tz', 'UTC', '--json']);
    expect(budget).toEqual({ budgets: shown.json() });
    expect(budget.budgets[0]).toMatchObject({ profile_name: null, monthly_usd: 5, completed: 0.8, remaining: 4.2 });
  });

  it.each(['stdin closes', 'SIGTERM'] as const)('exits with status 0 once %s, having written only protocol messages on stdout', async (how) => {
    const u = await user();
    const child = spawn(process.execPath, [join(root, 'bin', 'octo.js'), 'mcp'], { cwd: u.out, env: u.env });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/call', params: { name: 'costs', arguments: {} } });
    await until(() => stdout.includes('"id":2'), 30_000, 'the costs answer');
    if (how === 'SIGTERM') child.kill('SIGTERM');
    else child.stdin.end();
    expect(await exited).toEqual({ code: 0, signal: null });
    // One JSON-RPC answer per line, nothing else.
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([1, 2]);
  });

  it('octo mcp --help says how to add it to an agent', async () => {
    const help = await runCli(['mcp', '--help'], { env: cliEnv() });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('claude mcp add octo -- octo mcp');
    expect(help.stdout).toContain('{ "mcpServers": { "octo": { "command": "octo", "args": ["mcp"] } } }');
    expect(help.stdout).toContain('.vscode/mcp.json');
  });
});
