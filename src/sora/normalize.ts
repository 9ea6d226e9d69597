import type { Job, JobStatus } from './types.js';

type Raw = Record<string, unknown>;

const SORA1_STATUS: Record<string, JobStatus> = {
  queued: 'queued',
  preprocessing: 'running',
  running: 'running',
  processing: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

const SORA2_STATUS: Record<string, JobStatus> = {
  queued: 'queued',
  in_progress: 'running',
  completed: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export const isTerminal = (status: JobStatus): boolean => status === 'succeeded' || status === 'failed' || status === 'cancelled';

/** Numbers may arrive as strings (real clients send them so; the service may echo them). */
function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
}

/** Unix seconds (or ms, or an ISO string) → ISO 8601. */
function iso(v: unknown): string | null {
  const n = num(v);
  if (n !== null) return new Date(n > 1e12 ? n : n * 1000).toISOString();
  if (typeof v === 'string' && Number.isFinite(Date.parse(v))) return new Date(v).toISOString();
  return null;
}

function statusOf(table: Record<string, JobStatus>, raw: string): JobStatus {
  // An unknown word is most likely a new intermediate state: keep polling (for a while: see poll.ts).
  return table[raw.toLowerCase()] ?? 'running';
}

/** Whether the service's word for the job's status is one octo knows (else it was read as running). */
export function isKnownStatus(job: Pick<Job, 'soraVersion' | 'rawStatus'>): boolean {
  return Object.hasOwn(job.soraVersion === 'sora-1' ? SORA1_STATUS : SORA2_STATUS, job.rawStatus.toLowerCase());
}

export function normalizeSora1Job(raw: Raw): Job {
  const rawStatus = String(raw.status ?? '');
  const status = statusOf(SORA1_STATUS, rawStatus);
  const generations = Array.isArray(raw.generations) ? (raw.generations as Raw[]) : [];
  const failureCode = str(raw.failure_reason);
  return {
    id: String(raw.id),
    soraVersion: 'sora-1',
    status,
    rawStatus,
    progress: num(raw.progress),
    createdAt: iso(raw.created_at),
    finishedAt: iso(raw.finished_at),
    expiresAt: iso(raw.expires_at),
    failureReason: failureCode,
    failureCode: status === 'failed' ? failureCode : null,
    assets: generations.map((g, i) => ({ id: String(g.id), kind: 'video' as const, variant: i })),
    prompt: str(raw.prompt),
    model: str(raw.model),
    width: num(raw.width),
    height: num(raw.height),
    seconds: num(raw.n_seconds),
    variants: num(raw.n_variants) ?? 1,
    remixedFrom: null,
    raw,
  };
}

export function normalizeSora2Video(raw: Raw): Job {
  const rawStatus = String(raw.status ?? '');
  const status = statusOf(SORA2_STATUS, rawStatus);
  const error = raw.error && typeof raw.error === 'object' ? (raw.error as Raw) : null;
  const size = typeof raw.size === 'string' ? /^(\d+)x(\d+)$/.exec(raw.size) : null;
  const id = String(raw.id);
  return {
    id,
    soraVersion: 'sora-2',
    status,
    rawStatus,
    progress: num(raw.progress),
    createdAt: iso(raw.created_at),
    finishedAt: iso(raw.completed_at),
    expiresAt: iso(raw.expires_at),
    failureReason: error ? (str(error.message) ?? str(error.code)) : null,
    failureCode: error ? str(error.code) : null,
    assets: status === 'succeeded' ? [{ id, kind: 'video', variant: 0 }] : [],
    prompt: str(raw.prompt),
    model: str(raw.model),
    width: size ? Number(size[1]) : null,
    height: size ? Number(size[2]) : null,
    seconds: num(raw.seconds),
    variants: 1,
    remixedFrom: str(raw.remixed_from_video_id),
    raw,
  };
}
