import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { quoted } from '../../src/core/text.js';
import { mp4Body } from '../../src/emulator/media.js';
import { SoraRateLimitError } from '../../src/sora/errors.js';
import { FormData } from 'undici';
import { errorFromResponse, uploadAllowanceMs, type RawResponse } from '../../src/sora/http.js';
import { DEFAULT_HTTP_LIMITS, httpLimitsFrom } from '../../src/sora/limits.js';
import { Mp4Boxes } from '../../src/sora/mp4-check.js';

/** The bounds octo keeps with a server that misbehaves, as plain functions (issue 22, items 6 and 7). */

const rateLimited = (headers: Record<string, string>): RawResponse => ({
  status: 429,
  headers,
  body: Readable.from([Buffer.from('{"error":{"code":"429","message":"slow down"}}')]) as unknown as RawResponse['body'],
});

describe('Retry-After', () => {
  it('is capped at 5 minutes by default, in seconds or as an HTTP date years ahead; the ask is kept for the message', async () => {
    expect(DEFAULT_HTTP_LIMITS.maxRetryAfterMs).toBe(5 * 60_000);
    const secs = (await errorFromResponse(rateLimited({ 'retry-after': '99999999999' }), 'POST /videos')) as SoraRateLimitError;
    expect(secs).toBeInstanceOf(SoraRateLimitError);
    expect(secs.retryAfterMs).toBe(300_000);
    expect(secs.askedRetryAfterMs).toBe(99_999_999_999_000);
    const years = new Date(Date.now() + 10 * 365 * 86_400_000).toUTCString();
    const date = (await errorFromResponse(rateLimited({ 'retry-after': years }), 'POST /videos')) as SoraRateLimitError;
    expect(date.retryAfterMs).toBe(300_000);
    expect(date.askedRetryAfterMs).toBeGreaterThan(9 * 365 * 86_400_000);
    // Under the cap: obeyed as asked, nothing to say.
    const fair = (await errorFromResponse(rateLimited({ 'retry-after': '20' }), 'POST /videos')) as SoraRateLimitError;
    expect([fair.retryAfterMs, fair.askedRetryAfterMs]).toEqual([20_000, null]);
  });
});

describe('the request deadline', () => {
  it('grows with the files a create uploads (64 KiB/s), so an image on a poor uplink still gets through', () => {
    expect(uploadAllowanceMs(undefined)).toBe(0);
    const form = new FormData();
    form.append('prompt', 'x'.repeat(100_000));
    expect(uploadAllowanceMs(form)).toBe(0);
    form.append('input_reference', new Blob([new Uint8Array(640 * 1024)], { type: 'image/png' }), 'ref.png');
    expect(uploadAllowanceMs(form)).toBe(10_000);
  });
});

describe('httpLimitsFrom', () => {
  it('takes whole milliseconds of at least 100 from the environment and ignores anything else', () => {
    expect(httpLimitsFrom({})).toEqual(DEFAULT_HTTP_LIMITS);
    expect(
      httpLimitsFrom({ OCTO_HTTP_TIMEOUT_MS: '1500', OCTO_HTTP_STALL_MS: '2000', OCTO_MAX_RETRY_AFTER_MS: '900', OCTO_UNKNOWN_STATUS_MS: '700' }),
    ).toMatchObject({
      requestTimeoutMs: 1500,
      stallMs: 2000,
      maxRetryAfterMs: 900,
      unknownStatusMs: 700,
    });
    expect(httpLimitsFrom({ OCTO_HTTP_TIMEOUT_MS: '5', OCTO_HTTP_STALL_MS: '1e9', OCTO_MAX_RETRY_AFTER_MS: '-1' })).toEqual(DEFAULT_HTTP_LIMITS);
  });
});

/** The boxes' verdict on `body` fed in chunks of `size` bytes. */
function verdict(body: Buffer, size: number) {
  const boxes = new Mp4Boxes();
  for (let i = 0; i < body.length; i += size) {
    const problem = boxes.push(body.subarray(i, i + size));
    if (problem) return problem;
  }
  return boxes.end();
}

const box = (type: string, payload: number, size = payload + 8) => {
  const b = Buffer.alloc(payload + 8);
  b.writeUInt32BE(size, 0);
  b.write(type, 4, 'latin1');
  return b;
};

describe('Mp4Boxes', () => {
  const clip = Buffer.concat([...mp4Body({ width: 1280, height: 720, seconds: 4 }).chunks()]);

  it('passes a real MP4 however it is cut into chunks, a size-0 last box, and a 64-bit box', () => {
    for (const size of [1, 3, 7, 8, 16, 4096, clip.length]) expect(verdict(clip, size)).toBeNull();
    expect(verdict(Buffer.concat([box('ftyp', 8), box('mdat', 100, 0)]), 5)).toBeNull();
    const wide = Buffer.alloc(16 + 20);
    wide.writeUInt32BE(1, 0);
    wide.write('mdat', 4, 'latin1');
    wide.writeBigUInt64BE(36n, 8);
    expect(verdict(Buffer.concat([box('ftyp', 8), wide]), 3)).toBeNull();
  });

  it('refuses what is not an MP4 at its first 8 bytes, and one cut short at its end', () => {
    const bomb = verdict(gzipSync(Buffer.alloc(1024 * 1024)), 1024);
    expect(bomb).toMatchObject({
      cutShort: false,
      message: expect.stringMatching(/^not an MP4 file: it does not start with an ftyp box \(its first bytes are 1f8b/),
    });
    expect(verdict(Buffer.from('<html>nope</html>'), 4)).toMatchObject({ cutShort: false });
    expect(verdict(Buffer.from('ftyp'), 4)).toMatchObject({ cutShort: false, message: expect.stringContaining('too short') });
    expect(verdict(clip.subarray(0, clip.length - 500), 4096)).toMatchObject({ cutShort: true, message: expect.stringContaining('cut short') });
    expect(verdict(clip.subarray(0, 30), 7)).toMatchObject({ cutShort: true });
    // A box claiming less than its own header, or a type that is not four printable characters.
    expect(verdict(Buffer.concat([box('ftyp', 8), box('moov', 0, 4)]), 64)).toMatchObject({ cutShort: false });
    expect(verdict(Buffer.concat([box('ftyp', 8), box('\u0000\u0001\u0002\u0003', 8)]), 64)).toMatchObject({ cutShort: false });
  });
});

describe('quoted', () => {
  it('shows a server word with its control characters and bidi overrides escaped, cut to a length', () => {
    expect(quoted('in_progress')).toBe('"in_progress"');
    expect(quoted('a\u001b[2J\u009b\u202e"\\b')).toBe('"a\\u001b[2J\\u009b\\u202e\\"\\\\b"');
    expect(quoted('x'.repeat(100), 10)).toBe(`"${'x'.repeat(10)}…"`);
    expect(quoted('🦊'.repeat(20), 5)).toBe(`"${'🦊'.repeat(5)}…"`);
  });
});
