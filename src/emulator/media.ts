import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The media the emulator serves: real, decodable clips made once with ffmpeg and committed under
 * fixtures/ (see fixtures/README.md): 2 s of H.264 (Constrained Baseline, 10 fps) per orientation,
 * and a JPEG and a WEBP thumbnail. The build copies fixtures/ to dist/fixtures/.
 *
 * An MP4 is served as ftyp + moov + mdat, the clip's samples first in mdat; a larger body
 * (`videoBytes`) pads mdat after the samples (players ignore bytes no sample table points at) and
 * is produced chunk by chunk, never whole. Sample offsets are rewritten for the served layout.
 */

function fixturesDir(): string {
  // Source: src/emulator/fixtures; bundle: dist/chunks/*.js or dist/*.js next to dist/fixtures.
  for (const rel of ['./fixtures/', '../fixtures/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}clip-landscape.mp4`)) return dir;
  }
  throw new Error(`the emulator's media fixtures are missing (looked next to ${fileURLToPath(import.meta.url)})`);
}

const cache = new Map<string, Buffer>();
function fixture(name: string): Buffer {
  let buf = cache.get(name);
  if (!buf) {
    buf = readFileSync(fixturesDir() + name);
    cache.set(name, buf);
  }
  return buf;
}

export interface Box {
  type: string;
  /** Offset of the box's header in the buffer. */
  start: number;
  /** Offset of the box's payload. */
  body: number;
  /** Offset just past the box. */
  end: number;
}

/** The boxes directly inside buf[from, to). */
export function boxesIn(buf: Buffer, from = 0, to = buf.length): Box[] {
  const out: Box[] = [];
  for (let at = from; at + 8 <= to; ) {
    let size = buf.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header) break;
    out.push({ type: buf.toString('latin1', at + 4, at + 8), start: at, body: at + header, end: at + size });
    at += size;
  }
  return out;
}

/** Reads top-level ISO-BMFF boxes (for tests and sanity checks). */
export function topLevelBoxes(buf: Buffer): { type: string; size: number }[] {
  return boxesIn(buf).map((b) => ({ type: b.type, size: b.end - b.start }));
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

/** Adds `delta` to every chunk offset (stco/co64) inside `moov`, in place. */
function shiftChunkOffsets(moov: Buffer, delta: number, from = 0, to = moov.length) {
  for (const b of boxesIn(moov, from, to)) {
    if (CONTAINERS.has(b.type)) {
      shiftChunkOffsets(moov, delta, b.body, b.end);
    } else if (b.type === 'stco' || b.type === 'co64') {
      const wide = b.type === 'co64';
      const count = moov.readUInt32BE(b.body + 4);
      for (let i = 0; i < count; i++) {
        const at = b.body + 8 + i * (wide ? 8 : 4);
        if (wide) moov.writeBigUInt64BE(moov.readBigUInt64BE(at) + BigInt(delta), at);
        else moov.writeUInt32BE(moov.readUInt32BE(at) + delta, at);
      }
    }
  }
}

interface Clip {
  ftyp: Buffer;
  moov: Buffer;
  /** The sample data (the fixture's mdat payload). */
  data: Buffer;
  /** Where `data` started in the fixture (what its chunk offsets are relative to). */
  dataAt: number;
}

const clips = new Map<string, Clip>();
function clip(orientation: 'landscape' | 'portrait' | 'square'): Clip {
  let c = clips.get(orientation);
  if (c) return c;
  const file = fixture(`clip-${orientation}.mp4`);
  const top = boxesIn(file);
  const find = (type: string) => {
    const b = top.find((x) => x.type === type);
    if (!b) throw new Error(`fixture clip-${orientation}.mp4 has no ${type} box`);
    return b;
  };
  const ftyp = find('ftyp');
  const moov = find('moov');
  const mdat = find('mdat');
  c = {
    ftyp: file.subarray(ftyp.start, ftyp.end),
    moov: Buffer.from(file.subarray(moov.start, moov.end)),
    data: file.subarray(mdat.body, mdat.end),
    dataAt: mdat.body,
  };
  clips.set(orientation, c);
  return c;
}

export interface Mp4Shape {
  width: number;
  height: number;
  seconds: number;
}

export interface Mp4Body {
  /** Total bytes (what Content-Length says). */
  size: number;
  /** Yields the body: first the boxes and the clip's samples, then padding in chunks of at most `chunkSize` (one buffer, reused). */
  chunks(chunkSize?: number): Generator<Buffer>;
}

/**
 * The clip matching the shape's orientation, at least `totalBytes` long (default: the clip's own
 * size; a smaller total is raised to it).
 */
export function mp4Body(shape: Mp4Shape, totalBytes?: number): Mp4Body {
  const c = clip(shape.width > shape.height ? 'landscape' : shape.width < shape.height ? 'portrait' : 'square');
  const boxesLen = c.ftyp.length + c.moov.length;
  const wide = (totalBytes ?? 0) - boxesLen > 0xffffffff;
  const headerLen = wide ? 16 : 8;
  const size = Math.max(totalBytes ?? 0, boxesLen + headerLen + c.data.length);
  const padding = size - boxesLen - headerLen - c.data.length;
  const moov = Buffer.from(c.moov);
  shiftChunkOffsets(moov, boxesLen + headerLen - c.dataAt);
  const mdatHead = Buffer.alloc(headerLen);
  const mdatSize = size - boxesLen;
  if (wide) {
    mdatHead.writeUInt32BE(1, 0);
    mdatHead.write('mdat', 4, 'latin1');
    mdatHead.writeBigUInt64BE(BigInt(mdatSize), 8);
  } else {
    mdatHead.writeUInt32BE(mdatSize, 0);
    mdatHead.write('mdat', 4, 'latin1');
  }
  return {
    size,
    *chunks(chunkSize = 64 * 1024) {
      yield Buffer.concat([c.ftyp, moov, mdatHead, c.data]);
      if (padding <= 0) return;
      const pad = Buffer.alloc(Math.min(chunkSize, padding), 0);
      for (let left = padding; left > 0; left -= pad.length) {
        yield left >= pad.length ? pad : pad.subarray(0, left);
      }
    },
  };
}

/** The JPEG thumbnail (sora-1 thumbnail, sora-2 spritesheet): a frame of the clip. */
export function jpegBody(): Buffer {
  return fixture('thumbnail.jpg');
}

/** The WEBP thumbnail (sora-2 thumbnail). */
export function webpBody(): Buffer {
  return fixture('thumbnail.webp');
}
