import { describe, expect, it } from 'vitest';
import { BUILTIN_LIFECYCLE, allRetired, describeLifecycle, lifecycleStatus, lifecycleView } from '../../src/costs/lifecycle.js';
import { cliEnv, runCli } from '../support/run-cli.js';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe('the lifecycle table', () => {
  it('has a source and a date on every row, and the dates of Azure and OpenAI schedules', () => {
    for (const row of BUILTIN_LIFECYCLE) {
      expect(row.source.trim()).not.toBe('');
      expect(row.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    const azure = (version: string) => BUILTIN_LIFECYCLE.find((r) => r.service === 'azure' && r.version === version)?.retires_on;
    expect(azure('2025-05-02')).toBe('2026-02-15');
    expect(azure('2025-10-06')).toBe('2026-07-15');
    expect(azure('2025-12-08')).toBe('2026-10-15');
    expect(BUILTIN_LIFECYCLE.filter((r) => r.service === 'openai').map((r) => r.retires_on)).toEqual(['2026-09-24', '2026-09-24']);
  });

  it('works the status out from the day asked: retiring before the date, retired from it on', () => {
    const row = { retires_on: '2026-07-15' };
    expect(lifecycleStatus(row, day('2026-07-14'))).toBe('retiring');
    expect(lifecycleStatus(row, day('2026-07-15'))).toBe('retired');
    expect(lifecycleStatus({ retires_on: null }, day('2030-01-01'))).toBe('available');
    expect(allRetired('sora-2', day('2026-08-01'))).toBe(false);
    expect(allRetired('sora-2', day('2026-10-15'))).toBe(true);
    expect(allRetired('sora-2-pro', day('2030-01-01'))).toBe(false);
  });

  it("says in one sentence what Azure's schedule says about a model's versions", () => {
    expect(describeLifecycle('sora-2', day('2026-08-01'))).toBe(
      "sora-2 2025-10-06 retired on 2026-07-15 and sora-2 2025-12-08 retires on 2026-10-15 (Azure's schedule as of 2026-12-04; octo models)",
    );
    expect(describeLifecycle('sora-1', day('2026-03-01'))).toMatch(/^sora 2025-05-02 retired on 2026-02-15 /);
  });

  it('octo models lists every row with its status on the day, as a table and as JSON', async () => {
    const now = () => day('2026-08-01');
    const json = await runCli(['models', '--json'], { env: cliEnv(), overrides: { now } });
    expect(json.code).toBe(0);
    const list = json.json<ReturnType<typeof lifecycleView>>();
    expect(list).toEqual(lifecycleView(day('2026-08-01')));
    expect(list.map((r) => `${r.model} ${r.version ?? '*'} ${r.service} ${r.status}`)).toEqual([
      'sora-1 2025-05-02 azure retired',
      'sora-2 2025-10-06 azure retired',
      'sora-2 2025-12-08 azure retiring',
      'sora-2-pro * azure available',
      'sora-2 * openai retiring',
      'sora-2-pro * openai retiring',
    ]);
    const table = await runCli(['models'], { env: cliEnv(), overrides: { now } });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('sora-2\t2025-12-08\tazure\tretiring\t2026-10-15');
    const terminal = await runCli(['models'], { env: cliEnv(), overrides: { now }, tty: true });
    expect(terminal.stdout).toMatch(/MODEL +│? *VERSION/);
    const help = await runCli(['models', '--help'], { env: cliEnv() });
    expect(help.stdout).toContain('1024x1792 and 1792x1024 need sora-2-pro');
  });
});
