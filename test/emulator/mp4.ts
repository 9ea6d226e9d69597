import { boxesIn, type Box } from '../../src/emulator/media.js';

/**
 * Reads what a player needs from an MP4's first video track: the codec, the coded size, the
 * sample table, and the NAL unit types of each sample (H.264 in AVCC form: 4-byte lengths).
 */
export interface Mp4Track {
  codec: string;
  width: number;
  height: number;
  /** Has an avcC (decoder configuration) box. */
  avcC: boolean;
  sampleSizes: number[];
  /** Each sample's byte offset in the file (from stco/co64, stsc and stsz). */
  sampleOffsets: number[];
  mdat: Box;
  /** NAL unit types per sample (5 = IDR slice, 1 = non-IDR slice). */
  nalTypes: number[][];
}

function child(buf: Buffer, parent: Box, type: string): Box {
  const b = boxesIn(buf, parent.body, parent.end).find((x) => x.type === type);
  if (!b) throw new Error(`no ${type} in ${parent.type}`);
  return b;
}

export function readMp4(buf: Buffer): Mp4Track {
  const top = boxesIn(buf);
  const moov = top.find((b) => b.type === 'moov');
  const mdat = top.find((b) => b.type === 'mdat');
  if (!moov || !mdat) throw new Error(`top-level boxes: ${top.map((b) => b.type).join(', ')}`);
  const stbl = child(buf, child(buf, child(buf, child(buf, moov, 'trak'), 'mdia'), 'minf'), 'stbl');
  const stsd = child(buf, stbl, 'stsd');
  const entry = boxesIn(buf, stsd.body + 8, stsd.end)[0]!;
  const avcC = boxesIn(buf, entry.body + 78, entry.end).some((b) => b.type === 'avcC');
  const stsz = child(buf, stbl, 'stsz');
  const fixed = buf.readUInt32BE(stsz.body + 4);
  const count = buf.readUInt32BE(stsz.body + 8);
  const sampleSizes = Array.from({ length: count }, (_, i) => fixed || buf.readUInt32BE(stsz.body + 12 + 4 * i));
  const co = boxesIn(buf, stbl.body, stbl.end).find((b) => b.type === 'stco' || b.type === 'co64')!;
  const chunks = Array.from({ length: buf.readUInt32BE(co.body + 4) }, (_, i) =>
    co.type === 'co64' ? Number(buf.readBigUInt64BE(co.body + 8 + 8 * i)) : buf.readUInt32BE(co.body + 8 + 4 * i),
  );
  const stsc = child(buf, stbl, 'stsc');
  const runs = Array.from({ length: buf.readUInt32BE(stsc.body + 4) }, (_, i) => ({
    first: buf.readUInt32BE(stsc.body + 8 + 12 * i),
    perChunk: buf.readUInt32BE(stsc.body + 12 + 12 * i),
  }));
  const sampleOffsets: number[] = [];
  let sample = 0;
  chunks.forEach((offset, c) => {
    const run = runs.filter((r) => r.first <= c + 1).at(-1)!;
    for (let k = 0, at = offset; k < run.perChunk && sample < count; k++, sample++) {
      sampleOffsets.push(at);
      at += sampleSizes[sample]!;
    }
  });
  const nalTypes = sampleOffsets.map((offset, i) => {
    const types: number[] = [];
    for (let at = offset; at < offset + sampleSizes[i]!; ) {
      const len = buf.readUInt32BE(at);
      types.push(buf[at + 4]! & 0x1f);
      at += 4 + len;
    }
    return types;
  });
  return {
    codec: entry.type,
    width: buf.readUInt16BE(entry.body + 24),
    height: buf.readUInt16BE(entry.body + 26),
    avcC,
    sampleSizes,
    sampleOffsets,
    mdat,
    nalTypes,
  };
}

/** True when every sample lies inside mdat and is a run of whole H.264 NAL units, the first one an IDR frame. */
export function decodableH264(buf: Buffer): boolean {
  const t = readMp4(buf);
  if (t.codec !== 'avc1' || !t.avcC || t.sampleSizes.length === 0) return false;
  const inside = t.sampleOffsets.every((o, i) => o >= t.mdat.body && o + t.sampleSizes[i]! <= t.mdat.end && t.sampleSizes[i]! > 0);
  const slices = t.nalTypes.every((types) => types.some((n) => n === 1 || n === 5));
  return inside && slices && t.nalTypes[0]!.includes(5);
}
