import type { Session } from '../auth/session.js';
import type { GenerationRow } from '../db/tables/generations.js';
import type { ProfileWithKey } from '../sora/profile.js';
import type { Db } from '../db/connection/types.js';
import type { ProgressView } from '../output/progress.js';
import type { PollScheduleOptions, SoraClient } from '../sora/index.js';
import type { Sleep } from '../sora/sleep.js';
import type { StorageSettings } from '../storage/settings.js';
import type { Leases } from './leases.js';
import type { CreatePacer } from './pacer.js';

/** What every phase of the runner (recover, submit, poll, download) works with: plain values. */
export interface RunContext {
  db: Db;
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>;
  /** The injected clock (ms); nothing in the runner reads Date.now() itself. */
  now: () => number;
  sleep: Sleep;
  signal: AbortSignal;
  view: ProgressView;
  leases: Leases;
  pacer: CreatePacer;
  clientFor(p: ProfileWithKey): SoraClient;
  label(row: GenerationRow): string;
  /** false: stop once the line is submitted (`--no-wait`). */
  wait: boolean;
  timeoutMs?: number;
  schedule?: Partial<PollScheduleOptions>;
  /** Where videos go when the row's stored request does not say. */
  defaultOut: string;
  /** `jobs wait --out DIR`: wins over the folder stored with the row. */
  outOverride?: string;
  /** Azure Blob Storage for the videos (storage-url); undefined: video_metadata.url stays the local path. */
  storage?: StorageSettings;
  onDebug?: (line: string) => void;
}
