/**
 * Small valid media bodies generated in code: an ISO-BMFF MP4 (ftyp + moov + mdat), a baseline
 * JPEG and a WEBP. Larger MP4s pad the mdat box and are produced chunk by chunk, never whole.
 */

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...parts);
}

const u32 = (...values: number[]) => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
};
const u16 = (...values: number[]) => {
  const b = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2));
  return b;
};
const zeros = (n: number) => Buffer.alloc(n);
// Unity transformation matrix (16.16 and 2.30 fixed point).
const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

export interface Mp4Shape {
  width: number;
  height: number;
  seconds: number;
}

/** ftyp + moov (one video track, no samples). */
function mp4Prefix({ width, height, seconds }: Mp4Shape): Buffer {
  const timescale = 1000;
  const duration = Math.round(seconds * timescale);
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2avc1mp41', 'latin1'));
  const mvhd = fullBox('mvhd', 0, 0, u32(0, 0, timescale, duration, 0x00010000), u16(0x0100), zeros(10), MATRIX, zeros(24), u32(2));
  const tkhd = fullBox('tkhd', 0, 3, u32(0, 0, 1, 0, duration), zeros(8), u16(0, 0, 0, 0), MATRIX, u32(width << 16, height << 16));
  const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, timescale, duration), u16(0x55c4, 0));
  const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'latin1'), zeros(12), Buffer.from('VideoHandler\0', 'latin1'));
  const vmhd = fullBox('vmhd', 0, 1, zeros(8));
  const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(0)),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0, 0)),
    fullBox('stco', 0, 0, u32(0)),
  );
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', vmhd, dinf, stbl)));
  const moov = box('moov', mvhd, trak);
  return Buffer.concat([ftyp, moov]);
}

/** Default body size: the boxes plus a little padding. */
export const DEFAULT_MP4_BYTES = 4096;

export interface Mp4Body {
  /** Total bytes (what Content-Length says). */
  size: number;
  /** Yields the body in chunks of at most `chunkSize`; only one padding chunk is ever allocated. */
  chunks(chunkSize?: number): Generator<Buffer>;
}

export function mp4Body(shape: Mp4Shape, totalBytes = DEFAULT_MP4_BYTES): Mp4Body {
  const prefix = mp4Prefix(shape);
  const wide = totalBytes - prefix.length > 0xffffffff;
  const headerLen = wide ? 16 : 8;
  const size = Math.max(totalBytes, prefix.length + headerLen);
  const payload = size - prefix.length - headerLen;
  const mdatHead = Buffer.alloc(headerLen);
  if (wide) {
    mdatHead.writeUInt32BE(1, 0);
    mdatHead.write('mdat', 4, 'latin1');
    mdatHead.writeBigUInt64BE(BigInt(payload + headerLen), 8);
  } else {
    mdatHead.writeUInt32BE(payload + headerLen, 0);
    mdatHead.write('mdat', 4, 'latin1');
  }
  return {
    size,
    *chunks(chunkSize = 64 * 1024) {
      yield Buffer.concat([prefix, mdatHead]);
      const pad = Buffer.alloc(Math.min(chunkSize, Math.max(payload, 1)), 0x5a);
      for (let left = payload; left > 0; left -= pad.length) {
        yield left >= pad.length ? pad : pad.subarray(0, left);
      }
    },
  };
}

/**
 * An 8x8 mid-grey baseline JPEG: one quantisation table, one-code Huffman tables, and a single
 * block whose DC difference and AC run are both empty.
 */
export function jpegBody(): Buffer {
  const seg = (marker: number, data: Buffer) => Buffer.concat([u16(0xff00 | marker, data.length + 2), data]);
  const dqt = seg(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
  const sof0 = seg(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
  const counts = (n: number) => Buffer.from([1, ...Array(15).fill(0), n]);
  const dhtDc = seg(0xc4, Buffer.concat([Buffer.from([0x00]), counts(0)]));
  const dhtAc = seg(0xc4, Buffer.concat([Buffer.from([0x10]), counts(0)]));
  const sos = seg(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
  // Bits "0" (DC category 0) and "0" (EOB), padded with ones.
  return Buffer.concat([u16(0xffd8), dqt, sof0, dhtDc, dhtAc, sos, Buffer.from([0x3f]), u16(0xffd9)]);
}

/** A 1x1 lossy WEBP (RIFF/WEBP/VP8). */
export function webpBody(): Buffer {
  return Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64');
}

/** Reads top-level ISO-BMFF boxes (for tests and sanity checks). */
export function topLevelBoxes(buf: Buffer): { type: string; size: number }[] {
  const out: { type: string; size: number }[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    if (size < 8) break;
    out.push({ type, size });
    at += size;
  }
  return out;
}
