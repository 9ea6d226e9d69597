import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import { createSoraClient, type SoraClientOptions } from '../../src/sora/client.js';
import type { PollScheduleOptions } from '../../src/sora/poll-schedule.js';
import type { RequestInfo, SoraVersion } from '../../src/sora/types.js';

/** Fast polling for an emulator whose jobs take a few hundred ms. */
export const FAST: Partial<PollScheduleOptions> = {
  initialDelayMs: 5,
  baseDelayMs: 15,
  factor: 1.2,
  maxDelayMs: 40,
  jitter: 0.1,
  errorBaseDelayMs: 10,
  early404GraceMs: 3000,
  timeoutMs: 10_000,
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

export async function emulator(o: EmulatorOptions = {}): Promise<Emulator> {
  const em = await startEmulator({ jobMs: 150, early404Ms: 20, ...o });
  cleanups.push(() => em.close());
  return em;
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'octo-sora-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function client(em: Emulator, soraVersion: SoraVersion, o: Partial<SoraClientOptions> = {}) {
  const requests: RequestInfo[] = [];
  const c = createSoraClient({
    endpoint: em.url,
    apiKey: 'test-key',
    deployment: soraVersion === 'sora-1' ? 'sora' : 'sora-2',
    soraVersion,
    onRequest: (r) => requests.push(r),
    ...o,
  });
  return Object.assign(c, { requests });
}

export const isMp4 = (b: Buffer) => b.length > 8 && b.toString('latin1', 4, 8) === 'ftyp';
