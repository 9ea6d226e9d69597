import { execFile } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuthError, BudgetError, NotFoundError, UsageError } from '../../src/core/errors.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { findCommand } from '../../src/cli/program.js';
import { resolveDatabase } from '../../src/db/open.js';
import { redact } from '../../src/output/logger.js';
import { render, toCsv } from '../../src/output/render.js';
import { rows } from '../../src/output/result.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { firstRow } from '../support/defined.js';

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
  const columns = [
    { key: 'name', header: 'NAME' },
    { key: 'cost', header: 'COST', format: (v: unknown) => `$${Number(v).toFixed(2)}` },
  ];
  const list = [
    { name: 'a, "quoted"', cost: 0.125 },
    { name: 'b', cost: 12345678.5 },
  ];

  it('prints a table on a terminal with numbers never truncated', async () => {
    const out = sink(true);
    await render(rows(list, columns), out.stream, { json: false, csv: false, color: false });
    expect(out.text()).toContain('NAME');
    expect(out.text()).toContain('$12345678.50');
    expect(out.text()).toMatch(/┌|\+/);
  });

  it('prints tab-separated lines when piped', async () => {
    const out = sink(false);
    await render(rows(list, columns), out.stream, { json: false, csv: false, color: false });
    expect(out.text()).toBe('a, "quoted"\t$0.13\nb\t$12345678.50\n');
  });

  it('prints RFC 4180 CSV with raw values and JSON arrays, [] when empty', async () => {
    expect(toCsv(list, columns)).toBe('name,cost\n"a, ""quoted""",0.125\nb,12345678.5');
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
    expect(resolveDatabase({ ...base, flag: 'postgres://f@h/db', env: { OCTO_DATABASE_URL: 'postgres://o@h/db' } })).toMatchObject({ source: '--database-url' });
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
    expect((await runCli(['config', 'get', 'download-dir'], { env })).code).toBe(3);
  });
});

describe('the built binary', () => {
  it('prints its version and lists the command groups', async () => {
    const version = await exec(process.execPath, [octo, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await exec(process.execPath, [octo, '--help']);
    for (const group of ['config', 'db']) expect(help.stdout).toContain(group);
  });
});

describe('tables fit the terminal', () => {
  it('shortens the widest long text columns, never ids, times, numbers or short values', async () => {
    const { fitToWidth } = await import('../../src/output/render.js');
    const columns = [
      { key: 'id', header: 'id' },
      { key: 'prompt', header: 'prompt' },
      { key: 'url', header: 'file' },
      { key: 'cost', header: 'cost', align: 'right' as const },
      { key: 'created_at', header: 'created' },
      { key: 'status', header: 'status' },
    ];
    const id = 'd2673290-c2c8-4b56-8b54-910b597a4480';
    const body = [[id, 'a very long prompt about a paper boat on a rainy street', '/tmp/octo-videos/video_2652296218fa94e2574aa94ba3cb029b.mp4', '$12345.67', '2026-11-25 12:31:37Z', 'completed']];
    const row = firstRow(fitToWidth(columns, body, 120));
    expect(row[0]).toBe(id);
    expect(row[3]).toBe('$12345.67');
    expect(row[4]).toBe('2026-11-25 12:31:37Z');
    expect(row[5]).toBe('completed');
    expect(row[1]).toMatch(/^a very.*…$/);
    expect(row[2]).toMatch(/^….*\.mp4$/);
    expect(row.reduce((sum, cell) => sum + cell.length + 3, 1)).toBeLessThanOrEqual(120);
    // Long columns stop at 12: what still does not fit is left to the terminal.
    const original = firstRow(body);
    expect(firstRow(fitToWidth(columns, body, 60)).every((cell, i) => cell === original[i] || cell.length === 12)).toBe(true);
    expect(fitToWidth(columns, body, undefined)).toBe(body);
  });
});
