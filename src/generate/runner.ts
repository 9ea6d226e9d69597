import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { GenerationFailedError, InterruptedError, OctoError } from '../core/errors.js';
import {
  completeGeneration,
  finishGeneration,
  knownJobIds,
  markSubmitted,
  recordJobId,
  updateGenerationStatus,
  type GenerationRow,
  type NewVideo,
  type ProfileConfig,
} from '../db/generations.js';
import type { Db } from '../db/types.js';
import type { Session } from '../auth/session.js';
import type { ProgressView } from '../output/progress.js';
import type { StorageSettings } from '../storage/settings.js';
import {
  SoraNetworkError,
  SoraNotFoundError,
  SoraRateLimitError,
  SoraTimeoutError,
  SoraValidationError,
  createSoraClient,
  pollUntilDone,
  soraAuth,
  type Job,
  type PollScheduleOptions,
  type SoraClient,
} from '../sora/index.js';
import { sleep } from '../sora/sleep.js';
import { assetFileBase, prepareDownloadDir } from '../videos/local-files.js';
import { Limiter } from './limiter.js';
import { matchOrphan } from './match.js';
import { imageContentType, type StoredRequest } from './plan.js';

/**
 * The engine behind `generate`, `generate --file`, `--resume` and `jobs wait`: takes recorded
 * generation rows and drives each to its end, whatever state a previous run left it in:
 *
 *   finished (completed/failed/canceled)  → reported as recorded, nothing sent
 *   job id recorded                       → polled to the end
 *   submitted, no job id                  → looked up in the service's job list first (matchOrphan);
 *                                           resubmitted only when the service has no such job
 *   never submitted                       → submitted
 *
 * The row is written before every step that costs money or could be lost: submitted_at just
 * before the create request, the job id right after, each status change, and the videos with the
 * `completed` status in one statement.
 */

export interface LineResult {
  /** The video_generations row; null for a --dry-run. */
  id: string | null;
  job_id: string | null;
  status: string;
  prompt: string;
  model: string;
  seconds: number;
  size: string;
  variants: number;
  generation_mode: string;
  estimated_cost: number;
  files: string[];
  profile: string | null;
  failure_reason: string | null;
  line?: number;
}

export interface RunnerOptions {
  db: Db;
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>;
  profiles: ProfileConfig[];
  view: ProgressView;
  signal: AbortSignal;
  concurrency: number;
  /** false: return once every line is submitted (`--no-wait`). */
  wait: boolean;
  timeoutMs?: number;
  schedule?: Partial<PollScheduleOptions>;
  /** sora-2 creates allowed per minute and profile (0: no pacing; 429s still pause everyone). */
  createsPerMinute: number;
  /** Label of a row in progress lines (`line 3`, or a short id). */
  label: (row: GenerationRow) => string;
  /** Where videos go when a row's stored request does not say (rows from elsewhere). */
  defaultOut: string;
  /** Azure Blob Storage for the videos (storage-url); undefined: video_metadata.url stays the local path. */
  storage?: StorageSettings;
  onDebug?: (line: string) => void;
  /** Where an `api-key-env` profile's key is read from. */
  env: Record<string, string | undefined>;
}

/** A recorded row in one of these states is finished: nothing more is sent for it. */
export const TERMINAL = new Set(['completed', 'failed', 'canceled']);
/** A line result that counts as failed (`error`: stopped on an error before finishing). */
export const FAILED = new Set(['failed', 'canceled', 'error']);
const MAX_CREATE_ATTEMPTS = 8;

export function resultOf(row: GenerationRow, over: Partial<LineResult> = {}): LineResult {
  return {
    id: row.id,
    job_id: row.job_id,
    status: row.status,
    prompt: row.prompt,
    model: row.sora_model,
    seconds: Number(row.duration),
    size: row.resolution,
    variants: Number(row.variants ?? 1),
    generation_mode: row.generation_mode,
    estimated_cost: Number(row.estimated_cost),
    files: row.files ?? [],
    profile: row.profile_name,
    failure_reason: row.failure_reason,
    ...(row.batch_line !== null && row.batch_line !== undefined ? { line: row.batch_line } : {}),
    ...over,
  };
}

export async function runGenerations(rows: GenerationRow[], o: RunnerOptions): Promise<LineResult[]> {
  // Every worker's sleeps and requests listen on the one Ctrl-C signal.
  setMaxListeners(Math.max(50, o.concurrency * 10), o.signal);
  const profiles = new Map(o.profiles.map((p) => [p.name, p]));
  const clients = new Map<string, SoraClient>();
  const clientFor = (p: ProfileConfig) => {
    let c = clients.get(p.name);
    if (!c) {
      c = createSoraClient({
        endpoint: p.endpoint,
        ...soraAuth(p, o.env),
        deployment: p.deployment,
        soraVersion: p.sora_version,
        // 429s and refused connections are retried here, through the shared limiter.
        createRetries: 0,
        onRequest: o.onDebug ? (i) => o.onDebug!(`http ${i.method} ${i.url} → ${i.status} ${i.ms.toFixed(1)} ms`) : undefined,
      });
      clients.set(p.name, c);
    }
    return c;
  };
  const limiter = new Limiter((name) => {
    const p = profiles.get(name);
    if (p?.sora_version === 'sora-1') return { maxRunning: 2 };
    return o.createsPerMinute > 0 ? { createsPerWindow: o.createsPerMinute, windowMs: 60_000 } : {};
  });
  // Every job id already known is taken: an orphan may only match a job nobody owns.
  const claimed = new Set(rows.map((r) => r.job_id).filter((id): id is string => !!id));
  const lists = new Map<string, Promise<Job[]>>();
  let known: Promise<void> | undefined;
  const serviceJobs = async (p: ProfileConfig) => {
    known ??= knownJobIds(o.db, o.session).then((ids) => { for (const id of ids) claimed.add(id); });
    let l = lists.get(p.name);
    if (!l) {
      l = listRecent(clientFor(p), o.signal);
      lists.set(p.name, l);
    }
    const [jobs] = await Promise.all([l, known]);
    return jobs;
  };

  const results: LineResult[] = rows.map((r) => resultOf(r));
  const counts = { done: 0, failed: 0, running: 0 };
  const started = Date.now();
  const drawTotals = () => {
    const waiting = rows.length - counts.done - counts.failed - counts.running;
    o.view.totals(`${counts.done} done · ${counts.failed} failed · ${counts.running} running · ${waiting} waiting · ${elapsed(started)}`);
  };
  drawTotals();

  let next = 0;
  const worker = async () => {
    while (next < rows.length && !o.signal.aborted) {
      const index = next++;
      const row = rows[index];
      if (!row) break;
      if (TERMINAL.has(row.status)) {
        if (row.status === 'completed') counts.done++;
        else counts.failed++;
        drawTotals();
        continue;
      }
      counts.running++;
      drawTotals();
      let result: LineResult;
      try {
        result = await driveRow(row);
      } catch (error) {
        result = resultOf(row, { status: 'error', failure_reason: error instanceof Error ? error.message : String(error) });
        // Kept for a single generate to rethrow (exit code, hint); never serialised.
        Object.defineProperty(result, 'error', { value: error, enumerable: false });
        if (!(error instanceof InterruptedError)) o.view.event(`${o.label(row)}: error: ${(error as Error).message}`);
      } finally {
        counts.running--;
        o.view.remove(row.id);
      }
      results[index] = result;
      const st = result.status;
      if (st === 'completed') counts.done++;
      else if (FAILED.has(st)) counts.failed++;
      drawTotals();
    }
  };

  async function driveRow(row: GenerationRow): Promise<LineResult> {
    const label = o.label(row);
    const req = row.request as unknown as StoredRequest | null;
    const profile = row.profile_name ? profiles.get(row.profile_name) : undefined;
    if (!profile) {
      if (!row.job_id && !row.submitted_at) {
        await finishGeneration(o.db, o.session, row.id, 'failed', `profile ${row.profile_name ?? '(none)'} no longer exists`);
        return resultOf(row, { status: 'failed', failure_reason: `profile ${row.profile_name ?? '(none)'} no longer exists` });
      }
      throw new OctoError('failure', `profile ${row.profile_name ?? '(none)'} no longer exists; cannot reach job ${row.job_id ?? ''}`);
    }
    const client = clientFor(profile);
    const slot = await limiter.slot(profile.name, o.signal);
    try {
      let jobId = row.job_id;
      let status = row.status;
      if (!jobId && row.submitted_at && req) {
        const found = matchOrphan(req, new Date(row.submitted_at), await serviceJobs(profile), claimed);
        if (found) {
          claimed.add(found.id);
          jobId = found.id;
          status = found.status === 'queued' ? 'queued' : 'running';
          await recordJobId(o.db, o.session, row.id, jobId, status);
          o.view.event(`${label}: found job ${jobId} submitted before the interruption`);
        }
      }
      if (!jobId) {
        if (!req) throw new OctoError('failure', `generation ${row.id} has no stored request to submit`);
        const created = await submit(row, req, profile, client);
        if ('refused' in created) return resultOf(row, { status: 'failed', failure_reason: created.refused });
        jobId = created.id;
        claimed.add(jobId);
        status = created.status === 'queued' ? 'queued' : 'running';
        await recordJobId(o.db, o.session, row.id, jobId, status);
        o.view.event(`${label}: submitted ${jobId}`);
      }
      if (!o.wait) return resultOf(row, { job_id: jobId, status });

      let recorded = status;
      let writes: Promise<void> = Promise.resolve();
      const t0 = Date.now();
      const show = (j: Job | null) => {
        const pct = j?.progress !== null && j?.progress !== undefined ? ` ${j.progress}%` : '';
        o.view.update(row.id, `${label}  ${j?.rawStatus ?? recorded}${pct}  ${elapsed(t0)}  ${short(row.prompt)}`);
      };
      show(null);
      const ticker = setInterval(() => show(lastSeen), 1000);
      ticker.unref();
      let lastSeen: Job | null = null;
      let job: Job;
      try {
        job = await pollUntilDone(client, jobId, {
          signal: o.signal,
          timeoutMs: o.timeoutMs,
          // A job submitted long ago that answers 404 is gone (expired or deleted), not "not visible yet".
          schedule: row.submitted_at && Date.now() - new Date(row.submitted_at).getTime() > 10 * 60_000 ? { ...o.schedule, early404GraceMs: 0 } : o.schedule,
          returnFailed: true,
          onUpdate: (j) => {
            lastSeen = j;
            show(j);
            const s = j.status === 'queued' ? 'queued' : j.status === 'running' ? 'running' : null;
            if (s && s !== recorded) {
              recorded = s;
              o.view.event(`${label}: ${j.rawStatus}`);
              writes = writes.then(() => updateGenerationStatus(o.db, o.session, row.id, s, j.progress)).catch((e) => o.onDebug?.(`status write failed: ${e}`));
            }
          },
        });
      } catch (error) {
        if (error instanceof SoraTimeoutError) {
          await writes;
          return resultOf(row, { job_id: jobId, status: recorded, failure_reason: null });
        }
        if (error instanceof SoraNotFoundError) {
          await writes;
          const reason = `job ${jobId} is no longer at the service (expired or deleted)`;
          await finishGeneration(o.db, o.session, row.id, 'failed', reason);
          o.view.event(`${label}: failed (${reason})`);
          return resultOf(row, { job_id: jobId, status: 'failed', failure_reason: reason });
        }
        throw error;
      } finally {
        clearInterval(ticker);
      }
      await writes;
      slot.release();
      if (job.status !== 'succeeded') {
        const reason = job.status === 'cancelled' ? 'cancelled at the service' : [job.failureCode, job.failureReason].filter(Boolean).join(': ') || 'failed';
        const st = job.status === 'cancelled' ? 'canceled' : 'failed';
        await finishGeneration(o.db, o.session, row.id, st, reason);
        o.view.event(`${label}: ${st} (${reason})`);
        return resultOf(row, { job_id: jobId, status: st, failure_reason: reason });
      }
      const out = req?.out ?? o.defaultOut;
      const download = req?.download ?? true;
      const videos: NewVideo[] = [];
      if (download && job.assets.length) await prepareDownloadDir(out);
      const files: string[] = [];
      for (const asset of job.assets) {
        // Ids come from the service: a file name inside `out`, an encoded URL segment.
        const base = assetFileBase(out, asset.id);
        let url = client.contentUrl(asset.id);
        let thumb: string | null = null;
        if (download) {
          o.view.update(row.id, `${label}  downloading ${basename(base)}.mp4  ${short(row.prompt)}`);
          // Side by side; this worker takes its next line once both are on disk.
          const [video, thumbnail] = await Promise.all([
            client.download(asset.id, { dest: `${base}.mp4`, signal: o.signal }),
            client.download(asset.id, { variant: 'thumbnail', dest: `${base}${profile.sora_version === 'sora-1' ? '.jpg' : '.webp'}`, signal: o.signal }),
          ]);
          url = video.path;
          thumb = thumbnail.path;
          files.push(video.path);
        }
        if (o.storage) o.view.update(row.id, `${label}  uploading ${asset.id}  ${short(row.prompt)}`);
        // Uploaded before the row is completed: a crash here leaves the row to jobs wait / --resume.
        const where = o.storage
          ? await (await import('../storage/store.js')).storeGenerationAsset(o.storage, { db: o.db, session: o.session, signal: o.signal }, { generationId: row.id, assetId: asset.id, soraVersion: profile.sora_version, videoFile: download ? url : null, thumbnailFile: thumb, client })
          : { url, thumbnail_url: thumb, file_id: asset.id };
        videos.push({
          ...where,
          prompt: row.prompt,
          width: job.width ?? Number(row.resolution.split('x')[0]),
          height: job.height ?? Number(row.resolution.split('x')[1]),
          duration: job.seconds ?? Number(row.duration),
          sora_version: profile.sora_version,
          azure_video_id: asset.id,
          expires_at: job.expiresAt,
        });
      }
      await completeGeneration(o.db, o.session, row.id, videos);
      o.view.event(`${label}: completed${files.length ? ` → ${files.join(', ')}` : ''}`);
      return resultOf(row, { job_id: jobId, status: 'completed', files, failure_reason: null });
    } finally {
      slot.release();
    }
  }

  /** Creates the job, or says why the service refused it (recorded as failed, nothing created). */
  async function submit(row: GenerationRow, req: StoredRequest, profile: ProfileConfig, client: SoraClient): Promise<Job | { refused: string }> {
    const image = req.image ? { data: new Uint8Array(await readFile(req.image)), filename: basename(req.image), contentType: imageContentType(req.image) } : undefined;
    for (let attempt = 1; ; attempt++) {
      await limiter.beforeCreate(profile.name, o.signal);
      if (o.signal.aborted) throw new InterruptedError();
      if (attempt === 1) await markSubmitted(o.db, o.session, row.id);
      try {
        // No abort signal: a create cut off mid-flight leaves a job nobody knows about.
        return req.remix
          ? await client.remix(req.remix, req.prompt)
          : await client.create({ prompt: req.prompt, size: req.size, seconds: req.seconds, variants: req.variants, image });
      } catch (error) {
        if (error instanceof SoraRateLimitError && attempt < MAX_CREATE_ATTEMPTS) {
          const wait = error.retryAfterMs ?? 2000 * 2 ** attempt;
          limiter.pause(wait);
          o.view.event(`rate limited by the service: every worker pauses ${Math.ceil(wait / 1000)} s`);
          continue;
        }
        if (error instanceof SoraNetworkError && !error.sent && attempt < 4) {
          await sleep(500 * 2 ** attempt, o.signal);
          continue;
        }
        if (error instanceof SoraValidationError || error instanceof GenerationFailedError) {
          // A 400 or a content filter at create: nothing was created, nothing is billed.
          const reason = `${(error as { apiCode?: string }).apiCode ?? (error instanceof GenerationFailedError ? 'content_filter' : 'invalid_request')}: ${error.message}`;
          await finishGeneration(o.db, o.session, row.id, 'failed', reason);
          o.view.event(`${o.label(row)}: failed (${reason})`);
          return { refused: reason };
        }
        throw error;
      }
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, rows.length)) }, worker));
  return results;
}

/** The service's recent jobs (newest first), for matching orphans: up to 500. */
async function listRecent(client: SoraClient, signal: AbortSignal): Promise<Job[]> {
  const all: Job[] = [];
  let after: string | undefined;
  for (let page = 0; page < 5; page++) {
    const list = await client.list({ limit: 100, after, order: 'desc', signal });
    all.push(...list.jobs);
    if (!list.hasMore || !list.lastId) break;
    after = list.lastId;
  }
  return all;
}

export function elapsed(since: number): string {
  const s = Math.floor((Date.now() - since) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
