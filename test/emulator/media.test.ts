import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mp4Body, topLevelBoxes } from '../../src/emulator/media.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { decodableH264, readMp4 } from './mp4.js';

const open: Emulator[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

const whole = (shape: { width: number; height: number }, total?: number) => Buffer.concat([...mp4Body({ ...shape, seconds: 4 }, total).chunks()]);

function ffprobeAvailable(): boolean {
  try {
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('served media', () => {
  it('is a real H.264 clip: avc1 with avcC, 20 samples in mdat, each a run of NAL units, the first an IDR frame', () => {
    const buf = whole({ width: 1280, height: 720 });
    expect(topLevelBoxes(buf).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    const t = readMp4(buf);
    expect(t).toMatchObject({ codec: 'avc1', avcC: true, width: 160, height: 90 });
    expect(t.sampleSizes).toHaveLength(20);
    expect(t.sampleSizes.every((s) => s > 0)).toBe(true);
    expect(t.nalTypes[0]).toContain(5);
    expect(decodableH264(buf)).toBe(true);
    expect(buf.length).toBeLessThan(100_000);
  });

  it('picks the clip of the job’s orientation', () => {
    expect(readMp4(whole({ width: 720, height: 1280 }))).toMatchObject({ width: 90, height: 160 });
    expect(readMp4(whole({ width: 480, height: 480 }))).toMatchObject({ width: 120, height: 120 });
    expect(readMp4(whole({ width: 1792, height: 1024 }))).toMatchObject({ width: 160, height: 90 });
  });

  it('pads a larger body after the samples and keeps them where the sample table says', () => {
    const small = whole({ width: 1280, height: 720 });
    const big = whole({ width: 1280, height: 720 }, 300_000);
    expect(big.length).toBe(300_000);
    expect(decodableH264(big)).toBe(true);
    const a = readMp4(small);
    const b = readMp4(big);
    expect(b.mdat.end).toBe(300_000);
    b.sampleOffsets.forEach((o, i) => {
      const size = b.sampleSizes[i]!;
      expect(big.subarray(o, o + size).equals(small.subarray(a.sampleOffsets[i]!, a.sampleOffsets[i]! + size))).toBe(true);
    });
  });

  it('past 4 GiB uses a 64-bit mdat header and shifts the sample offsets to match', () => {
    const body = mp4Body({ width: 1280, height: 720, seconds: 4 }, 5 * 1024 ** 3);
    const head = body.chunks(1024 * 1024).next().value as Buffer;
    const boxes = topLevelBoxes(head);
    expect(boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
    expect(boxes.reduce((s, b) => s + b.size, 0)).toBe(body.size);
    expect(head.readUInt32BE(boxes[0]!.size + boxes[1]!.size)).toBe(1); // size 1: the 64-bit form
    const t = readMp4(Buffer.concat([head, Buffer.alloc(16)]));
    expect(t.sampleOffsets[0]).toBe(boxes[0]!.size + boxes[1]!.size + 16);
    expect(t.nalTypes[0]).toContain(5);
  });

  it.skipIf(!ffprobeAvailable())('decodes with ffprobe where it is installed (20 frames of h264)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'octo-media-'));
    try {
      const file = join(dir, 'v.mp4');
      writeFileSync(file, whole({ width: 1280, height: 720 }, 200_000));
      const out = execFileSync(
        'ffprobe',
        ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', file],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toBe('h264,20');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the clip and thumbnails over HTTP for both families', async () => {
    const em = await startEmulator({ jobMs: 0, early404Ms: 0 });
    open.push(em);
    const post = async (path: string, body: unknown) =>
      (
        await fetch(`${em.url}/openai/v1${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'api-key': 'k' },
          body: JSON.stringify(body),
        })
      ).json();
    const get = async (path: string) => Buffer.from(await (await fetch(`${em.url}/openai/v1${path}`, { headers: { 'api-key': 'k' } })).arrayBuffer());
    const v = await post('/videos', { prompt: 'p', size: '720x1280' });
    await new Promise((r) => setTimeout(r, 5));
    expect(readMp4(await get(`/videos/${v.id}/content`))).toMatchObject({ codec: 'avc1', width: 90, height: 160 });
    expect(decodableH264(await get(`/videos/${v.id}/content`))).toBe(true);
    const webp = await get(`/videos/${v.id}/content?variant=thumbnail`);
    expect([webp.toString('latin1', 0, 4), webp.toString('latin1', 8, 12)]).toEqual(['RIFF', 'WEBP']);
    const job = await post('/video/generations/jobs', { model: 'sora', prompt: 'p', width: 480, height: 480 });
    await new Promise((r) => setTimeout(r, 5));
    const gen = JSON.parse((await get(`/video/generations/jobs/${job.id}`)).toString()).generations[0].id;
    expect(readMp4(await get(`/video/generations/${gen}/content/video`))).toMatchObject({ width: 120, height: 120 });
    const jpg = await get(`/video/generations/${gen}/content/thumbnail`);
    expect([jpg[0], jpg[1], jpg.at(-2), jpg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    expect(jpg.length).toBeGreaterThan(1000); // a real frame, not an 8x8 grey block
  });
});

describe('the built CLI', () => {
  it('ships the clips: `octo emulator` from dist/ serves a decodable MP4, padded with --video-bytes', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const child = spawn(process.execPath, [join(root, 'bin', 'octo.js'), 'emulator', '--port', '0', '--job-seconds', '0', '--video-bytes', '100000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
      });
      const headers = { 'content-type': 'application/json', 'api-key': 'k' };
      const v = await (await fetch(`${url}/openai/v1/videos`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'p', size: '1280x720' }) })).json();
      let body = Buffer.alloc(0);
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`${url}/openai/v1/videos/${v.id}/content`, { headers });
        body = Buffer.from(await r.arrayBuffer());
        if (r.status === 200) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      expect(body.length).toBe(100_000);
      expect(decodableH264(body)).toBe(true);
      expect(readMp4(body)).toMatchObject({ width: 160, height: 90 });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
