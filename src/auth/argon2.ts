import { timingSafeEqual } from 'node:crypto';

/**
 * Argon2id verification (RFC 9106) for the `$argon2id$…` hashes that the web app's migration
 * wrote. octo never creates argon2 hashes: it upgrades them to bcrypt on the first successful
 * login. The work is hash-wasm's WebAssembly Argon2 in a worker thread, started only when such
 * a hash is met, so no other command pays for it at start-up.
 */

const VERSION = 0x13;

/** Refuses parameters that would make a login take minutes or eat the machine's memory. */
const MAX_MEMORY_KIB = 512 * 1024;
const MAX_PASSES = 64;
const MAX_PARALLELISM = 255;

export interface Argon2Params {
  password: Uint8Array;
  salt: Uint8Array;
  /** Memory in KiB (blocks). */
  memoryKiB: number;
  passes: number;
  parallelism: number;
  tagLength: number;
  secret?: Uint8Array;
}

/** Runs in a worker thread: the WebAssembly fill is one long synchronous call. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.module)
  .argon2id({ ...workerData.options, outputType: 'binary' })
  .then((tag) => parentPort.postMessage(tag));
`;

/**
 * Argon2id, version 0x13 (RFC 9106), without associated data (hash-wasm takes none). Computed in
 * a worker thread so a login keeps the event loop free (spinner, Ctrl-C) while it works.
 */
export async function argon2id(params: Argon2Params): Promise<Uint8Array> {
  const [{ Worker }, { createRequire }] = await Promise.all([import('node:worker_threads'), import('node:module')]);
  const options = {
    password: params.password,
    salt: params.salt,
    secret: params.secret,
    memorySize: params.memoryKiB,
    iterations: params.passes,
    parallelism: params.parallelism,
    hashLength: params.tagLength,
  };
  const module = createRequire(import.meta.url).resolve('hash-wasm');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, options } });
    worker.once('message', (tag: Uint8Array) => resolve(new Uint8Array(tag)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the argon2 worker stopped (exit code ${code}) without a result`)));
  });
}

/** PHC strings use unpadded standard base64. */
const fromB64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function isArgon2Hash(hash: string): boolean {
  return hash.startsWith('$argon2');
}

interface Phc {
  memoryKiB: number;
  passes: number;
  parallelism: number;
  salt: Uint8Array;
  tag: Uint8Array;
}

/** `$argon2id$v=19$m=…,t=…,p=…$salt$hash`, or undefined for anything else (other variants, v=16). */
function parsePhc(hash: string): Phc | undefined {
  const match = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(hash.trim());
  const [, version, m, t, p, salt, tag] = match ?? [];
  if (version === undefined || m === undefined || t === undefined || p === undefined || salt === undefined || tag === undefined) return undefined;
  if (Number(version) !== VERSION) return undefined;
  return { memoryKiB: Number(m), passes: Number(t), parallelism: Number(p), salt: fromB64(salt), tag: fromB64(tag) };
}

/**
 * Verifies `password` against a PHC string. Returns false for a wrong password and for anything
 * it cannot parse or refuses to compute.
 */
export async function verifyArgon2id(hash: string, password: string): Promise<boolean> {
  const phc = parsePhc(hash);
  if (!phc) return false;
  const { memoryKiB, passes, parallelism, salt, tag } = phc;
  if (memoryKiB > MAX_MEMORY_KIB || passes > MAX_PASSES || parallelism > MAX_PARALLELISM) return false;
  if (parallelism < 1 || passes < 1 || memoryKiB < 8 * parallelism || tag.length < 4 || salt.length < 8) return false;
  let actual: Uint8Array;
  try {
    actual = await argon2id({ password: new TextEncoder().encode(password), salt, memoryKiB, passes, parallelism, tagLength: tag.length });
  } catch {
    return false;
  }
  return actual.length === tag.length && timingSafeEqual(actual, tag);
}
