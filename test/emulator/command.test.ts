import { until } from '../support/until.js';
import type { OptionSpec } from '../../src/cli/command.js';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context/context.js';
import { UsageError } from '../../src/core/errors.js';
import command, { emulatorOptions, parseRateLimit } from '../../src/commands/emulator.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('octo emulator', () => {
  it('prints exactly the endpoint on stdout, serves both families, logs with --verbose, stops on abort', async () => {
    const stdout = capture();
    const stderr = capture();
    const ac = new AbortController();
    const ctx = { io: { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream }, signal: ac.signal } as unknown as Context;
    const running = command.run({ ctx, opts: { port: 0, apiKey: 'k', jobSeconds: 0.05, verbose: true }, args: [], manifest: { commands: [], groups: {} } });
    let line = '';
    await until(() => stdout.text().includes('\n'), 30_000, 'the endpoint line');
    line = stdout.text();
    expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = line.trim();
    const s1 = await fetch(`${url}/openai/v1/video/generations/jobs?api-version=preview`, { headers: { 'api-key': 'k' } });
    expect(s1.status).toBe(200);
    const s2 = await fetch(`${url}/openai/v1/videos`, { headers: { authorization: 'Bearer k' } });
    expect((await s2.json()).object).toBe('list');
    expect((await fetch(`${url}/openai/v1/videos`)).status).toBe(401);
    expect(stderr.text()).toMatch(/GET \/openai\/v1\/videos → 200/);
    ac.abort();
    await expect(running).resolves.toBeUndefined();
    await expect(fetch(`${url}/openai/v1/videos`)).rejects.toThrow();
    expect(stdout.text()).toBe(line);
  });

  it('parses its flags', () => {
    const parse = (flag: string, value: string) => (command.options as readonly OptionSpec[]).find((o) => o.flags.startsWith(flag))!.parse!(value, undefined);
    expect(parseRateLimit('2/min')).toEqual({ count: 2, windowMs: 60_000 });
    expect(parseRateLimit('10/s')).toEqual({ count: 10, windowMs: 1000 });
    expect(parseRateLimit('3')).toEqual({ count: 3, windowMs: 60_000 });
    expect(() => parseRateLimit('fast')).toThrow(UsageError);
    expect(() => parseRateLimit('0/min')).toThrow(UsageError);
    expect(parse('--fail-rate', '0.25')).toBe(0.25);
    expect(() => parse('--fail-rate', '2')).toThrow(/between 0 and 1/);
    expect(() => parse('--port', '-1')).toThrow(UsageError);
    expect(() => parse('--speed', '0')).toThrow(UsageError);
    expect(parse('--rate-limit', '2/min')).toEqual({ count: 2, windowMs: 60_000 });
    expect(emulatorOptions({ jobSeconds: 2, rateLimit: { count: 2, windowMs: 60_000 }, apiKey: '' })).toMatchObject({
      port: 0,
      jobMs: 2000,
      rateLimit: 2,
      rateLimitWindowMs: 60_000,
      apiKey: undefined,
      log: undefined,
    });
  });
});

describe('octo emulator through the CLI entry point', () => {
  it('runs from argv, serves both families with the given key, and exits 0 on interrupt', async () => {
    const { run } = await import('../../src/cli/main.js');
    const stdout = capture();
    const stderr = capture();
    const ac = new AbortController();
    const exit = run(
      ['emulator', '--port', '0', '--api-key', 'k', '--job-seconds', '0.05'],
      { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream },
      { signal: ac.signal, env: {} },
    );
    await until(() => stdout.text().includes('\n'), 30_000, 'the endpoint line');
    const url = stdout.text().trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { createSoraClient } = await import('../../src/sora/client.js');
    const { pollUntilDone } = await import('../../src/sora/poll.js');
    for (const soraVersion of ['sora-1', 'sora-2'] as const) {
      const c = createSoraClient({ endpoint: url, apiKey: 'k', deployment: soraVersion === 'sora-1' ? 'sora' : 'sora-2', soraVersion });
      const job = await pollUntilDone(c, (await c.create({ prompt: 'from the CLI' })).id, {
        schedule: { initialDelayMs: 10, baseDelayMs: 10, maxDelayMs: 20, early404GraceMs: 5000 },
      });
      expect(job.status).toBe('succeeded');
    }
    ac.abort();
    expect(await exit).toBe(0);
    expect(stdout.text()).toBe(`${url}\n`);
    expect(stderr.text()).toBe('');
  });
});
