import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuthError, BudgetError, NotFoundError, UsageError } from '../../src/core/errors.js';
import { exitCodeFor, exitCodeOfResult } from '../../src/cli/exit-codes.js';
import { findCommand } from '../../src/cli/program.js';
import { resolveDatabase } from '../../src/db/connection/open.js';
import { redact } from '../../src/output/logger.js';
import { render, toCsv } from '../../src/output/render.js';
import { rows, type Column } from '../../src/output/result.js';
import { cliEnv, runCli } from '../support/run-cli.js';

const exec = promisify(execFile);
const octo = join(import.meta.dirname, '..', '..', 'bin', 'octo.js');

function sink(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  let text = '';
  stream.on('data', (c) => (text += c));
  return { stream, text: () => text };
}

describe('exit codes', () => {
  it('maps each typed error to its code', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(new NotFoundError('x'))).toBe(3);
    expect(exitCodeFor(new AuthError('x'))).toBe(4);
    expect(exitCodeFor(new BudgetError('x'))).toBe(5);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });

  it('numbers a command that named its ending through the same table (0 when it named none)', () => {
    expect(exitCodeOfResult({})).toBe(0);
    expect(exitCodeOfResult({ exit: 'batch_failed' })).toBe(6);
    expect(exitCodeOfResult({ exit: 'still_running' })).toBe(8);
    expect(exitCodeOfResult({ exit: 'failure' })).toBe(1);
  });

  it('exits 2 on an unknown flag, and prints the JSON error on stdout under --json', async () => {
    const env = cliEnv();
    const plain = await runCli(['db', 'status', '--bogus'], { env });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/unknown option '--bogus'/);
    const json = await runCli(['db', 'status', '--bogus', '--json'], { env });
    expect(json.code).toBe(2);
    expect(json.json()).toEqual({ error: { code: 'usage', message: expect.stringMatching(/--bogus/), hint: expect.any(String) } });
  });

  it('exits 2 for an unknown command and for a group without a subcommand', async () => {
    expect((await runCli(['frobnicate'], { env: cliEnv() })).code).toBe(2);
    expect((await runCli(['config'], { env: cliEnv() })).code).toBe(2);
  });
});

describe('finding the command without loading modules', () => {
  it('skips global flags and their values', () => {
    expect(findCommand(['--profile', 'db', 'db', 'status'])?.name).toBe('db status');
    expect(findCommand(['--json', 'config', 'get', 'x'])?.name).toBe('config get');
    expect(findCommand(['nothing'])).toBeUndefined();
  });
});

describe('output', () => {
  const columns: Column<{ name: string; cost: number }>[] = [
    { key: 'name', header: 'NAME' },
    { key: 'cost', header: 'COST', format: (v) => `$${v.toFixed(2)}`, align: 'right' },
  ];
  const list = [
    { name: 'a, "quoted"', cost: 0.125 },
    { name: 'b', cost: 12345678.5 },
  ];

  it('prints a table on a terminal with numbers never truncated', async () => {
    const out = sink(true);
    await render(rows(list, columns), out.stream, { json: false, csv: false, color: false });
    expect(out.text()).toBe('NAME                 COST\na, "quoted"         $0.13\nb            $12345678.50\n');
  });

  it('prints tab-separated lines when piped', async () => {
    const out = sink(false);
    await render(rows(list, columns), out.stream, { json: false, csv: false, color: false });
    expect(out.text()).toBe('a, "quoted"\t$0.13\nb\t$12345678.50\n');
  });

  it('prints RFC 4180 CSV with raw values and JSON arrays, [] when empty', async () => {
    expect(toCsv(list)).toBe('name,cost\n"a, ""quoted""",0.125\nb,12345678.5');
    const out = sink(false);
    await render(rows([], columns), out.stream, { json: true, csv: false, color: false });
    expect(out.text()).toBe('[]\n');
  });

  it('redacts secrets in debug lines', () => {
    expect(redact('postgres://u:hunter2@h/db')).toBe('postgres://u:****@h/db');
    expect(redact('api-key: abc123')).toBe('api-key: ****');
    expect(redact('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig')).not.toContain('eyJ');
  });
});

describe('database selection', () => {
  const base = { dataDir: '/data' };
  it('takes the flag, then OCTO_DATABASE_URL, DATABASE_URL, config, else embedded', () => {
    expect(resolveDatabase({ ...base, env: {} })).toEqual({ kind: 'embedded', dataDir: '/data' });
    expect(resolveDatabase({ ...base, env: {}, configUrl: 'postgres://c@h/db' })).toMatchObject({ kind: 'pg', source: 'config database-url' });
    expect(resolveDatabase({ ...base, env: { DATABASE_URL: 'postgres://d@h/db' }, configUrl: 'postgres://c@h/db' })).toMatchObject({ source: 'DATABASE_URL' });
    expect(resolveDatabase({ ...base, flag: 'postgres://f@h/db', env: { OCTO_DATABASE_URL: 'postgres://o@h/db' } })).toMatchObject({
      source: '--database-url',
    });
  });
  it('uses the Neon driver for neon.tech hosts or OCTO_DB_DRIVER=neon, and never keeps the password in the key', () => {
    const neon = resolveDatabase({ ...base, env: { OCTO_DATABASE_URL: 'postgresql://u:secret@ep-x.eu-central-1.aws.neon.tech/app?sslmode=require' } });
    expect(neon).toMatchObject({ kind: 'neon', label: 'ep-x.eu-central-1.aws.neon.tech' });
    expect(JSON.stringify({ ...neon, url: undefined })).not.toContain('secret');
    expect(resolveDatabase({ ...base, env: { OCTO_DB_DRIVER: 'neon', OCTO_DATABASE_URL: 'postgres://u@localhost/db' } }).kind).toBe('neon');
  });
  it('rejects what is not a Postgres URL', () => {
    expect(() => resolveDatabase({ ...base, env: { OCTO_DATABASE_URL: 'mysql://x@h/db' } })).toThrow(UsageError);
  });
});

describe('config', () => {
  it('sets, gets and lists settings in a 0600 file inside a 0700 folder, redacting database passwords', async () => {
    const env = cliEnv({ OCTO_CONFIG_DIR: join(mkdtempSync(join(tmpdir(), 'octo-cfg-')), 'nested') });
    expect((await runCli(['config', 'set', 'default-seconds', '8'], { env })).code).toBe(0);
    expect((await runCli(['config', 'set', 'database-url', 'postgres://u:hunter2@db.example/app'], { env })).code).toBe(0);
    expect((await runCli(['config', 'get', 'default-seconds'], { env })).stdout).toBe('8\n');
    const listed = await runCli(['config', 'list', '--json'], { env });
    expect(listed.stdout).not.toContain('hunter2');
    expect(listed.json()).toContainEqual(expect.objectContaining({ key: 'default-seconds', value: '8' }));
    expect(statSync(join(env.OCTO_CONFIG_DIR, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(env.OCTO_CONFIG_DIR).mode & 0o777).toBe(0o700);
  });

  it('refuses unknown keys and bad values with exit 2', async () => {
    const env = cliEnv();
    expect((await runCli(['config', 'set', 'colour', 'x'], { env })).code).toBe(2);
    expect((await runCli(['config', 'set', 'default-size', 'big'], { env })).code).toBe(2);
    expect((await runCli(['config', 'get', 'download-dir'], { env })).stdout).toBe('./octo-videos (the default; not set)\n');
  });
});

describe('the built binary', () => {
  it('prints its version and lists the command groups', async () => {
    const version = await exec(process.execPath, [octo, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await exec(process.execPath, [octo, '--help']);
    for (const group of ['config', 'db']) expect(help.stdout).toContain(group);
  });

  it('ends quietly with exit 0 when the reader has gone (octo --help | head -1)', async () => {
    for (const flag of ['--help', '--version']) {
      const child = spawn(process.execPath, [octo, flag], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Closed long before the child's Node has started, so its write meets a pipe without a reader.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const code = await new Promise((resolve) => child.once('close', resolve));
      expect({ flag, code, stderr }).toEqual({ flag, code: 0, stderr: '' });
    }
  });
});

describe('tables fit the terminal', () => {
  it('drops optional columns, then shortens the prompt; never ids, numbers or short values', async () => {
    const { layoutTable } = await import('../../src/output/table.js');
    const columns = [
      { key: 'id', header: 'id', id: true as const },
      { key: 'prompt', header: 'prompt', flex: true as const },
      { key: 'cost', header: 'cost', align: 'right' as const },
      { key: 'created_at', header: 'created' },
      { key: 'url', header: 'file', optional: true as const },
    ];
    const body = [
      [
        'd2673290',
        'a very long prompt about a paper boat on a rainy street at night, in the rain',
        '$12345.67',
        '2026-11-25 12:31',
        '/tmp/octo-videos/video_2652296218fa94e2574aa94ba3cb029b.mp4',
      ],
    ];
    const wide = layoutTable({ columns, body, width: 200, color: false });
    expect(wide[0]).toMatch(/^ID {8}PROMPT/);
    expect(wide[1]).toContain(body[0]![4]);
    const [head, row] = layoutTable({ columns, body, width: 80, color: false });
    expect(head).not.toContain('FILE');
    expect(row).toMatch(/^d2673290 {2}a very long prompt.*… {2}\$12345\.67 {2}2026-11-25 12:31$/);
    expect(row!.length).toBeLessThanOrEqual(80);
    for (const line of layoutTable({ columns, body, width: 30, color: false })) expect(line.length).toBeLessThanOrEqual(30);
  });
});
