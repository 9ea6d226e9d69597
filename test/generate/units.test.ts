import { describe, expect, it } from 'vitest';
import { batchIdFor, decodeBatchFile, parseBatchFile } from '../../src/generate/batch-file.js';
import { Limiter } from '../../src/generate/limiter.js';
import { matchOrphan } from '../../src/generate/match.js';
import { parseDuration } from '../../src/cli/flag-parsers.js';
import type { Job } from '../../src/sora/types.js';

const job = (id: string, o: Partial<Job>): Job =>
  ({ id, prompt: 'p', width: 720, height: 1280, seconds: 4, remixedFrom: null, createdAt: '2026-11-25T12:00:00.000Z', ...o }) as Job;

describe('batch files', () => {
  it('skips blanks and comments, keeps the file line numbers, reads JSON Lines overrides', () => {
    const lines = parseBatchFile('# c\n\n  plain prompt  \n{"prompt":"j","seconds":"8","size":"1280x720","profile":"p2","tag":{"a":1}}\r\n', 'f');
    expect(lines.map(({ line, input }) => ({ line, input }))).toEqual([
      { line: 3, input: { prompt: 'plain prompt' } },
      { line: 4, input: { prompt: 'j', seconds: '8', size: '1280x720', profile: 'p2', tags: { a: '1' } } },
    ]);
  });
  it('a line is identified by its text (and which occurrence of it), not by its number', () => {
    const before = parseBatchFile('one\ntwo\none\n', 'f');
    const after = parseBatchFile('zero\none\n\ntwo\none\nthree\n', 'f');
    expect(before.map((l) => l.key)).toEqual([after[1]!.key, after[2]!.key, after[3]!.key]);
    expect(new Set(after.map((l) => l.key)).size).toBe(5);
    expect(before[0]!.key).not.toBe(before[2]!.key);
  });
  it('reads CR-only and CRLF files line by line, UTF-16 with a byte-order mark, and refuses binary or invalid text', () => {
    expect(parseBatchFile('a\rb\rc', 'f').map((l) => l.input.prompt)).toEqual(['a', 'b', 'c']);
    expect(parseBatchFile('a\r\nb\r\n', 'f').map((l) => l.input.prompt)).toEqual(['a', 'b']);
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('é one\r\ntwo\n', 'utf16le')]);
    expect(parseBatchFile(decodeBatchFile(utf16le, 'f'), 'f').map((l) => l.input.prompt)).toEqual(['é one', 'two']);
    const utf16be = Buffer.from(Buffer.from('one\ntwo', 'utf16le').map((_, i, b) => b[i ^ 1]!));
    expect(parseBatchFile(decodeBatchFile(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]), 'f'), 'f').map((l) => l.input.prompt)).toEqual(['one', 'two']);
    expect(decodeBatchFile(Buffer.from('\uFEFFbom', 'utf8'), 'f').replace(/^\uFEFF/, '')).toBe('bom');
    expect(() => decodeBatchFile(Buffer.from('one\u0000two'), 'b.bin')).toThrow('b.bin: is not a text file');
    expect(() => decodeBatchFile(Buffer.from('one\ntwo', 'utf16le'), 'u.txt')).toThrow('u.txt: is not a text file');
    expect(() => decodeBatchFile(Buffer.from([0x61, 0xc3, 0x28]), 'bad.txt')).toThrow('bad.txt: is not valid UTF-8 text');
  });
  it('refuses arrays, NUL characters and lone surrogates with FILE:LINE', () => {
    expect(() => parseBatchFile('ok\n[{"prompt":"c"}]', 'b.jsonl')).toThrow('b.jsonl:2: expected one JSON object per line');
    expect(() => parseBatchFile('ok\n{"prompt": "b", "seconds": 8', 'b.jsonl')).toThrow(/^b\.jsonl:2: invalid JSON/);
    expect(() => parseBatchFile('ok\n{"prompt":"a\\u0000b"}', 'b.jsonl')).toThrow('b.jsonl:2: "prompt" contains a NUL character');
    expect(() => parseBatchFile('{"prompt":"a\\ud800b"}', 'b.jsonl')).toThrow('b.jsonl:1: "prompt" contains invalid Unicode');
    expect(() => parseBatchFile('x\ny\ud800', 'b.txt')).toThrow('b.txt:2: the prompt contains invalid Unicode');
  });
  it('reports FILE:LINE for bad JSON, unknown fields, wrong types', () => {
    expect(() => parseBatchFile('ok\n{"prompt":', 'b.jsonl')).toThrow(/^b\.jsonl:2: invalid JSON/);
    expect(() => parseBatchFile('{"prompt":""}', 'b')).toThrow('b:1: "prompt" must be a non-empty string');
    expect(() => parseBatchFile('{"prompt":"x","seconds":true}', 'b')).toThrow('b:1: "seconds" must be a number');
    expect(() => parseBatchFile('{"prompt":"x","tag":"a=b"}', 'b')).toThrow('b:1: "tag" must be an object');
  });
  it('batch ids: a file is its path, whatever its content; stdin is its content', () => {
    const a = batchIdFor('/x/p.txt', 'one\ntwo');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(batchIdFor('/x/p.txt', 'one\ntwo\nthree')).toBe(a);
    expect(batchIdFor('/y/p.txt', 'one\ntwo')).not.toBe(a);
    expect(batchIdFor('-', 'one')).toBe(batchIdFor('-', 'one'));
    expect(batchIdFor('-', 'one')).not.toBe(batchIdFor('-', 'two'));
  });
});

describe('matchOrphan', () => {
  const req = { prompt: 'p', size: '720x1280', seconds: 4, remix: null };
  const submitted = new Date('2026-11-25T12:00:00.500Z');
  it('matches prompt, size and seconds created since the submission (less slack), closest first, never a claimed job', () => {
    const jobs = [
      job('late', { createdAt: '2026-11-25T12:00:05.000Z' }),
      job('close', { createdAt: '2026-11-25T12:00:00.000Z' }),
      job('old', { createdAt: '2026-11-25T11:50:00.000Z' }),
      job('other-prompt', { prompt: 'q' }),
      job('other-size', { width: 1280, height: 720 }),
      job('other-seconds', { seconds: 8 }),
    ];
    expect(matchOrphan(req, submitted, jobs, new Set())?.id).toBe('close');
    expect(matchOrphan(req, submitted, jobs, new Set(['close']))?.id).toBe('late');
    expect(matchOrphan(req, submitted, jobs, new Set(['close', 'late']))).toBeUndefined();
  });
});

describe('Limiter', () => {
  it('caps running jobs per key and wakes the next waiter on release', async () => {
    const l = new Limiter(() => ({ maxRunning: 2 }));
    const a = await l.slot('k');
    await l.slot('k');
    let third = false;
    const p = l.slot('k').then(() => (third = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    a.release();
    await p;
    expect(third).toBe(true);
  });
  it('paces creates per window and pauses everyone after a 429', async () => {
    let t = 0;
    const waits: number[] = [];
    const l = new Limiter(
      () => ({ createsPerWindow: 2, windowMs: 60_000 }),
      () => t,
      async (ms) => {
        waits.push(ms);
        t += ms;
      },
    );
    await l.beforeCreate('k');
    await l.beforeCreate('k');
    await l.beforeCreate('k');
    expect(waits).toEqual([60_001]);
    l.pause(5000);
    await l.beforeCreate('other');
    expect(waits).toEqual([60_001, 5000]);
  });
  it('parses durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('soon')).toThrow('--timeout');
  });
});
