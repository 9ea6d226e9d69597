import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Argon2id verification (RFC 9106), in TypeScript on node:crypto, for the `$argon2id$…` hashes
 * that the web app's migration wrote. octo never creates argon2 hashes (it upgrades them to bcrypt
 * on the first successful login), and no native argon2 package is available, so this implements
 * the algorithm directly: Blake2b with variable output (RFC 7693, needed by H' and short tags),
 * the memory-hard fill with the BlaMka compression G, and the Argon2id addressing.
 * 64-bit words are kept as (lo, hi) pairs of 32-bit integers so the hot loop needs no BigInt.
 * Checked against the RFC 9106 §5.3 test vector and the reference implementation's PHC strings.
 */

// ---------- Blake2b (RFC 7693) with any output length 1..64 ----------

const BLAKE2B_IV = new Uint32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a, 0xade682d1, 0x510e527f,
  0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/** v[a] += v[b] + m (64-bit words at even/odd indices). */
function add64(v: Uint32Array, a: number, b: number, mlo: number, mhi: number): void {
  const lo = v[a] + v[b] + mlo;
  v[a + 1] = v[a + 1] + v[b + 1] + mhi + Math.floor(lo / 0x100000000);
  v[a] = lo;
}

/** v[x] = rotr64(v[x] ^ v[y], n) for n in 32, 24, 16, 63. */
function xorRotr(v: Uint32Array, x: number, y: number, n: number): void {
  const lo = v[x] ^ v[y];
  const hi = v[x + 1] ^ v[y + 1];
  if (n === 32) {
    v[x] = hi;
    v[x + 1] = lo;
  } else if (n === 63) {
    v[x] = (lo << 1) | (hi >>> 31);
    v[x + 1] = (hi << 1) | (lo >>> 31);
  } else {
    v[x] = (lo >>> n) | (hi << (32 - n));
    v[x + 1] = (hi >>> n) | (lo << (32 - n));
  }
}

function blake2bCompress(h: Uint32Array, block: Uint8Array, counter: number, last: boolean): void {
  const v = new Uint32Array(32);
  const m = new Uint32Array(32);
  const view = new DataView(block.buffer, block.byteOffset, 128);
  for (let i = 0; i < 32; i += 1) m[i] = view.getUint32(i * 4, true);
  v.set(h, 0);
  v.set(BLAKE2B_IV, 16);
  v[24] ^= counter >>> 0;
  v[25] ^= Math.floor(counter / 0x100000000);
  if (last) {
    v[28] = ~v[28];
    v[29] = ~v[29];
  }
  const g = (a: number, b: number, c: number, d: number, x: number, y: number) => {
    add64(v, a * 2, b * 2, m[x * 2], m[x * 2 + 1]);
    xorRotr(v, d * 2, a * 2, 32);
    add64(v, c * 2, d * 2, 0, 0);
    xorRotr(v, b * 2, c * 2, 24);
    add64(v, a * 2, b * 2, m[y * 2], m[y * 2 + 1]);
    xorRotr(v, d * 2, a * 2, 16);
    add64(v, c * 2, d * 2, 0, 0);
    xorRotr(v, b * 2, c * 2, 63);
  };
  for (let round = 0; round < 12; round += 1) {
    const s = SIGMA[round % 10];
    g(0, 4, 8, 12, s[0], s[1]);
    g(1, 5, 9, 13, s[2], s[3]);
    g(2, 6, 10, 14, s[4], s[5]);
    g(3, 7, 11, 15, s[6], s[7]);
    g(0, 5, 10, 15, s[8], s[9]);
    g(1, 6, 11, 12, s[10], s[11]);
    g(2, 7, 8, 13, s[12], s[13]);
    g(3, 4, 9, 14, s[14], s[15]);
  }
  for (let i = 0; i < 16; i += 1) h[i] ^= v[i] ^ v[i + 16];
}

/** Unkeyed Blake2b with an output of `outLength` bytes (1..64). */
export function blake2b(input: Uint8Array, outLength: number): Uint8Array {
  if (outLength < 1 || outLength > 64) throw new RangeError('blake2b output length must be 1..64');
  if (outLength === 64) return new Uint8Array(createHash('blake2b512').update(input).digest());
  const h = new Uint32Array(BLAKE2B_IV);
  h[0] ^= 0x01010000 ^ outLength;
  const block = new Uint8Array(128);
  let offset = 0;
  // Every full block but the last is compressed as non-final.
  while (input.length - offset > 128) {
    block.set(input.subarray(offset, offset + 128));
    offset += 128;
    blake2bCompress(h, block, offset, false);
  }
  block.fill(0);
  block.set(input.subarray(offset));
  blake2bCompress(h, block, input.length, true);
  const out = new Uint8Array(64);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 16; i += 1) view.setUint32(i * 4, h[i], true);
  return out.slice(0, outLength);
}

// ---------- Argon2 ----------

const le32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** H' (RFC 9106 §3.3): Blake2b stretched to any length. */
export function blake2bLong(input: Uint8Array, outLength: number): Uint8Array {
  const prefixed = concat(le32(outLength), input);
  if (outLength <= 64) return blake2b(prefixed, outLength);
  const r = Math.ceil(outLength / 32) - 2;
  const out = new Uint8Array(outLength);
  let v = blake2b(prefixed, 64);
  out.set(v.subarray(0, 32), 0);
  for (let i = 1; i < r; i += 1) {
    v = blake2b(v, 64);
    out.set(v.subarray(0, 32), i * 32);
  }
  out.set(blake2b(v, outLength - 32 * r), r * 32);
  return out;
}

const BLOCK_WORDS = 256; // 1024-byte block as 32-bit words
const ARGON2ID = 2;
const VERSION = 0x13;

/** a = a + b + 2 * lo32(a) * lo32(b) (64-bit), the BlaMka multiplication. */
function fBlaMka(v: Uint32Array, a: number, b: number): void {
  const x = v[a];
  const y = v[b];
  const x0 = x & 0xffff;
  const x1 = x >>> 16;
  const y0 = y & 0xffff;
  const y1 = y >>> 16;
  const p00 = x0 * y0;
  const p01 = x0 * y1;
  const p10 = x1 * y0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  let plo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  let phi = (x1 * y1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
  phi = ((phi << 1) | (plo >>> 31)) >>> 0;
  plo = (plo << 1) >>> 0;
  const lo = x + y + plo;
  const carry = Math.floor(lo / 0x100000000);
  v[a + 1] = v[a + 1] + v[b + 1] + phi + carry;
  v[a] = lo;
}

function gb(v: Uint32Array, a: number, b: number, c: number, d: number): void {
  fBlaMka(v, a, b);
  xorRotr(v, d, a, 32);
  fBlaMka(v, c, d);
  xorRotr(v, b, c, 24);
  fBlaMka(v, a, b);
  xorRotr(v, d, a, 16);
  fBlaMka(v, c, d);
  xorRotr(v, b, c, 63);
}

/** The permutation P on 16 64-bit words given by their word indices (w0..w15). */
function permute(v: Uint32Array, w: number[]): void {
  const i = (k: number) => w[k] * 2;
  gb(v, i(0), i(4), i(8), i(12));
  gb(v, i(1), i(5), i(9), i(13));
  gb(v, i(2), i(6), i(10), i(14));
  gb(v, i(3), i(7), i(11), i(15));
  gb(v, i(0), i(5), i(10), i(15));
  gb(v, i(1), i(6), i(11), i(12));
  gb(v, i(2), i(7), i(8), i(13));
  gb(v, i(3), i(4), i(9), i(14));
}

const ROW_INDEXES = Array.from({ length: 8 }, (_, r) => Array.from({ length: 16 }, (_, k) => 16 * r + k));
const COLUMN_INDEXES = Array.from({ length: 8 }, (_, c) =>
  Array.from({ length: 16 }, (_, k) => 2 * c + 16 * (k >> 1) + (k & 1)),
);

/**
 * The compression G: out = P(X ^ Y) ^ X ^ Y, or with `xor` (passes after the first, v1.3)
 * out ^= that. Blocks are offsets (in 32-bit words) into their arrays.
 */
function compress(
  r: Uint32Array,
  tmp: Uint32Array,
  xMem: Uint32Array,
  xAt: number,
  yMem: Uint32Array,
  yAt: number,
  outMem: Uint32Array,
  outAt: number,
  xor: boolean,
): void {
  for (let k = 0; k < BLOCK_WORDS; k += 1) r[k] = xMem[xAt + k] ^ yMem[yAt + k];
  tmp.set(r);
  if (xor) for (let k = 0; k < BLOCK_WORDS; k += 1) tmp[k] ^= outMem[outAt + k];
  for (const row of ROW_INDEXES) permute(r, row);
  for (const column of COLUMN_INDEXES) permute(r, column);
  for (let k = 0; k < BLOCK_WORDS; k += 1) outMem[outAt + k] = tmp[k] ^ r[k];
}

export interface Argon2Params {
  password: Uint8Array;
  salt: Uint8Array;
  /** Memory in KiB (blocks). */
  memoryKiB: number;
  passes: number;
  parallelism: number;
  tagLength: number;
  secret?: Uint8Array;
  associatedData?: Uint8Array;
}

/** Argon2id, version 0x13 (RFC 9106). */
export function argon2id(params: Argon2Params): Uint8Array {
  const { password, salt, passes: t, parallelism: p, tagLength } = params;
  const secret = params.secret ?? new Uint8Array(0);
  const ad = params.associatedData ?? new Uint8Array(0);
  if (p < 1 || t < 1 || params.memoryKiB < 8 * p || tagLength < 4) throw new RangeError('invalid argon2 parameters');
  const h0 = blake2b(
    concat(
      le32(p),
      le32(tagLength),
      le32(params.memoryKiB),
      le32(t),
      le32(VERSION),
      le32(ARGON2ID),
      le32(password.length),
      password,
      le32(salt.length),
      salt,
      le32(secret.length),
      secret,
      le32(ad.length),
      ad,
    ),
    64,
  );
  const blocks = 4 * p * Math.floor(params.memoryKiB / (4 * p));
  const laneLength = blocks / p;
  const segmentLength = laneLength / 4;
  const mem = new Uint32Array(blocks * BLOCK_WORDS);
  const wordsOf = (bytes: Uint8Array) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Uint32Array.from({ length: bytes.byteLength / 4 }, (_, k) => view.getUint32(k * 4, true));
  };
  for (let lane = 0; lane < p; lane += 1) {
    mem.set(wordsOf(blake2bLong(concat(h0, le32(0), le32(lane)), 1024)), lane * laneLength * BLOCK_WORDS);
    mem.set(wordsOf(blake2bLong(concat(h0, le32(1), le32(lane)), 1024)), (lane * laneLength + 1) * BLOCK_WORDS);
  }

  const r = new Uint32Array(BLOCK_WORDS);
  const tmp = new Uint32Array(BLOCK_WORDS);
  const zero = new Uint32Array(BLOCK_WORDS);
  const input = new Uint32Array(BLOCK_WORDS);
  const address = new Uint32Array(BLOCK_WORDS);
  const nextAddresses = () => {
    input[12] += 1; // counter, word 6 (lo half)
    compress(r, tmp, zero, 0, input, 0, address, 0, false);
    compress(r, tmp, zero, 0, address, 0, address, 0, false);
  };

  for (let pass = 0; pass < t; pass += 1) {
    for (let slice = 0; slice < 4; slice += 1) {
      for (let lane = 0; lane < p; lane += 1) {
        const independent = pass === 0 && slice < 2;
        if (independent) {
          input.fill(0);
          input[0] = pass;
          input[2] = lane;
          input[4] = slice;
          input[6] = blocks;
          input[8] = t;
          input[10] = ARGON2ID;
        }
        let start = 0;
        if (pass === 0 && slice === 0) {
          start = 2;
          if (independent) nextAddresses();
        }
        let curr = lane * laneLength + slice * segmentLength + start;
        let prev = curr % laneLength === 0 ? curr + laneLength - 1 : curr - 1;
        for (let index = start; index < segmentLength; index += 1, curr += 1, prev += 1) {
          if (curr % laneLength === 1) prev = curr - 1;
          let j1: number;
          let j2: number;
          if (independent) {
            if (index % 128 === 0) nextAddresses();
            j1 = address[(index % 128) * 2];
            j2 = address[(index % 128) * 2 + 1];
          } else {
            j1 = mem[prev * BLOCK_WORDS];
            j2 = mem[prev * BLOCK_WORDS + 1];
          }
          const refLane = pass === 0 && slice === 0 ? lane : j2 % p;
          const sameLane = refLane === lane;
          let areaSize: number;
          if (pass === 0) {
            if (slice === 0) areaSize = index - 1;
            else if (sameLane) areaSize = slice * segmentLength + index - 1;
            else areaSize = slice * segmentLength + (index === 0 ? -1 : 0);
          } else if (sameLane) areaSize = laneLength - segmentLength + index - 1;
          else areaSize = laneLength - segmentLength + (index === 0 ? -1 : 0);
          const x = (BigInt(j1) * BigInt(j1)) >> 32n;
          const y = (BigInt(areaSize) * x) >> 32n;
          const relative = areaSize - 1 - Number(y);
          const startPosition = pass !== 0 && slice !== 3 ? (slice + 1) * segmentLength : 0;
          const refIndex = (startPosition + relative) % laneLength;
          const ref = refLane * laneLength + refIndex;
          compress(r, tmp, mem, prev * BLOCK_WORDS, mem, ref * BLOCK_WORDS, mem, curr * BLOCK_WORDS, pass !== 0);
        }
      }
    }
  }

  const final = new Uint32Array(BLOCK_WORDS);
  for (let lane = 0; lane < p; lane += 1) {
    const at = (lane * laneLength + laneLength - 1) * BLOCK_WORDS;
    for (let k = 0; k < BLOCK_WORDS; k += 1) final[k] ^= mem[at + k];
  }
  const finalBytes = new Uint8Array(1024);
  const view = new DataView(finalBytes.buffer);
  for (let k = 0; k < BLOCK_WORDS; k += 1) view.setUint32(k * 4, final[k], true);
  return blake2bLong(finalBytes, tagLength);
}

/** PHC strings use unpadded standard base64. */
const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function isArgon2Hash(hash: string): boolean {
  return hash.startsWith('$argon2');
}

/** Refuses parameters that would make a login take minutes or eat the machine's memory. */
const MAX_MEMORY_KIB = 512 * 1024;
const MAX_PASSES = 64;

/**
 * Verifies `password` against a PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
 * Returns false for a wrong password and for anything it cannot parse (other variants, v=16).
 */
export function verifyArgon2id(hash: string, password: string): boolean {
  const match = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(hash.trim());
  if (!match) return false;
  const [, version, m, t, p, saltB64, tagB64] = match;
  if (Number(version) !== VERSION) return false;
  const memoryKiB = Number(m);
  const passes = Number(t);
  const parallelism = Number(p);
  if (memoryKiB > MAX_MEMORY_KIB || passes > MAX_PASSES || parallelism > 255) return false;
  const expected = fromB64(tagB64);
  if (expected.length < 4) return false;
  let actual: Uint8Array;
  try {
    actual = argon2id({
      password: new TextEncoder().encode(password),
      salt: fromB64(saltB64),
      memoryKiB,
      passes,
      parallelism,
      tagLength: expected.length,
    });
  } catch {
    return false;
  }
  return timingSafeEqual(actual, expected);
}
