/**
 * Checks, as the bytes go by, that a body is an MP4 (ISO base media) file: it opens with an
 * `ftyp` box (its type at offset 4) and is a whole number of top-level boxes, each header's size
 * leading exactly to the next. A body that is something else (an HTML page, a gzip bomb saved as
 * `.mp4`) fails at its first 8 bytes; one cut short, however its length header agreed, fails at
 * its end. Only box headers are looked at: a few bytes per box, whatever the file's size.
 */
export interface Mp4Problem {
  message: string;
  /** It began as an MP4 but ended inside a box: a transfer cut short (worth another try). */
  cutShort: boolean;
}

const notMp4 = (message: string): Mp4Problem => ({ message: `not an MP4 file: ${message}`, cutShort: false });

export class Mp4Boxes {
  /** Bytes seen so far. */
  private at = 0;
  /** Where the next top-level box starts. */
  private next = 0;
  /** The header of the box at `next`, while its bytes are arriving. */
  private head = Buffer.alloc(0);
  /** A box of size 0 runs to the end of the file. */
  private toEnd = false;
  private boxes = 0;

  /** The problem with the body so far, or null. */
  push(chunk: Buffer): Mp4Problem | null {
    let i = 0;
    while (i < chunk.length && !this.toEnd) {
      if (this.at < this.next) {
        const skip = Math.min(this.next - this.at, chunk.length - i);
        this.at += skip;
        i += skip;
        continue;
      }
      const need = this.head.length >= 8 && this.head.readUInt32BE(0) === 1 ? 16 : 8;
      const take = Math.min(need - this.head.length, chunk.length - i);
      this.head = Buffer.concat([this.head, chunk.subarray(i, i + take)]);
      i += take;
      this.at += take;
      if (this.head.length < 8) continue;
      const size32 = this.head.readUInt32BE(0);
      if (size32 === 1 && this.head.length < 16) continue;
      const problem = this.box(size32);
      if (problem) return problem;
    }
    if (this.toEnd) this.at += chunk.length - i;
    return null;
  }

  /** The problem with the whole body, once it has ended, or null. */
  end(): Mp4Problem | null {
    if (this.boxes === 0) return notMp4(`${this.at} bytes, too short for an ftyp box`);
    if (this.toEnd || (this.head.length === 0 && this.at === this.next)) return null;
    return {
      message: `the MP4 file is cut short: it ends at byte ${this.at}, inside a box that runs to byte ${Math.max(this.next, this.at + 1)}`,
      cutShort: true,
    };
  }

  private box(size32: number): Mp4Problem | null {
    const start = this.next;
    const type = this.head.subarray(4, 8);
    if (this.boxes === 0 && type.toString('latin1') !== 'ftyp') {
      return notMp4(`it does not start with an ftyp box (its first bytes are ${this.head.subarray(0, 8).toString('hex')})`);
    }
    if (!type.every((b) => b >= 0x20 && b <= 0x7e)) return notMp4(`the box at byte ${start} has no valid type`);
    const headerLen = size32 === 1 ? 16 : 8;
    const size = size32 === 1 ? Number(this.head.readBigUInt64BE(8)) : size32;
    if (size32 === 0) this.toEnd = true;
    else if (size < headerLen) return notMp4(`the box at byte ${start} says it is ${size} bytes long`);
    else this.next = start + size;
    this.boxes++;
    this.head = Buffer.alloc(0);
    return null;
  }
}
