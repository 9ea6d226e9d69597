import { randomBytes } from 'node:crypto';
import { errorBody, HttpError, notFound } from './http.js';
import { seededRandom } from './rng.js';
import type { EmJob, EmulatorOptions, EmulatorStats, Family, JobSpec } from './types.js';

/**
 * The emulator's state: jobs, generations, counters and the rate limiter, plus the simulation
 * that moves jobs forward. Progress is computed from the clock on each request (no timers), so a
 * paused test sees consistent state.
 */

const base32 = (n: number) => {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  return Array.from(randomBytes(n), (b) => alphabet[b % 32]).join('');
};

export const freshStats = (): EmulatorStats => ({
  total: 0,
  requests: {},
  responses: {},
  creates: { 'sora-1': 0, 'sora-2': 0 },
  rateLimited: { 'sora-1': 0, 'sora-2': 0 },
  auth: { 'api-key': 0, bearer: 0, none: 0 },
  remixes: 0,
  maxRunningSora1: 0,
});

export class EmulatorState {
  readonly now: () => number;
  readonly maxConcurrent: number;
  /** Lower-cased; '' turns moderation off. */
  readonly moderate: string;
  readonly early404Ms: number;
  readonly expireAfterMs: number;
  readonly windowMs: number;
  downloadsToCut: number;

  /** Live jobs in creation order (Map keeps insertion order). */
  readonly jobs = new Map<string, EmJob>();
  readonly generations = new Map<string, EmJob>();
  /** Every job ever created, also deleted and expired ones, so a paging cursor keeps its place. */
  readonly known = new Map<string, EmJob>();
  stats = freshStats();

  /** sora-1 jobs waiting for a slot, oldest first (`queueHead` indexes the first still waiting). */
  private readonly queue: EmJob[] = [];
  private queueHead = 0;
  /** sora-1 jobs holding a slot. */
  private readonly active = new Set<EmJob>();
  /** sora-2 jobs not yet finished. */
  private readonly pending = new Set<EmJob>();
  private seq = 0;

  private readonly speed: number;
  private readonly jobRandom: () => number;
  private readonly requestRandom: () => number;
  private readonly createTimes: Record<Family, number[]> = { 'sora-1': [], 'sora-2': [] };
  /** The time of the last simulated event (a sora-1 start or end). */
  private clock = 0;

  constructor(readonly options: EmulatorOptions) {
    const o = options;
    this.speed = o.speed && o.speed > 0 ? o.speed : 1;
    this.now = o.now ?? Date.now;
    this.jobRandom = seededRandom(o.seed ?? 1);
    this.requestRandom = seededRandom((o.seed ?? 1) ^ 0x9e3779b9);
    this.maxConcurrent = o.maxConcurrent ?? 2;
    this.moderate = (o.moderate ?? 'forbidden').toLowerCase();
    this.early404Ms = o.early404Ms ?? (o.jobMs !== undefined ? Math.min(1000, o.jobMs / 10) : 1000 / this.speed);
    this.expireAfterMs = o.expireAfterMs ?? 86_400_000;
    this.windowMs = o.rateLimitWindowMs ?? 60_000;
    this.downloadsToCut = o.cutDownloads ?? 0;
  }

  /** Creates a job (counted in stats, reported to onCreate); its fate is drawn now. */
  newJob(family: Family, f: JobSpec): EmJob {
    const o = this.options;
    const durationMs = o.jobMs ?? (20_000 + this.jobRandom() * 40_000) / this.speed;
    const moderated = this.moderate !== '' && f.prompt.toLowerCase().includes(this.moderate);
    const failed = !moderated && o.failRate !== undefined && this.jobRandom() < o.failRate;
    const id = family === 'sora-1' ? `task_${base32(26)}` : `video_${randomBytes(16).toString('hex')}`;
    const job: EmJob = {
      family,
      id,
      seq: ++this.seq,
      gone: false,
      createdAt: this.now(),
      ...f,
      durationMs,
      queueMs: durationMs * 0.1,
      startedAt: null,
      finishedAt: null,
      runMs: moderated ? durationMs * 0.15 : failed ? durationMs * 0.6 : durationMs * 0.9,
      outcome: moderated || failed ? 'failed' : 'succeeded',
      failureCode: moderated ? 'input_moderation' : failed ? 'internal_error' : null,
      failureMessage: moderated
        ? 'The prompt was flagged by the content moderation system.'
        : failed
          ? 'The video generation failed due to an internal error.'
          : null,
      generations: [],
      remixedFrom: null,
      inpaintItems: null,
      hasInputReference: false,
    };
    if (family === 'sora-2') {
      job.startedAt = job.createdAt + job.queueMs;
      this.pending.add(job);
    } else {
      this.queue.push(job);
    }
    this.jobs.set(id, job);
    this.known.set(id, job);
    this.stats.creates[family]++;
    o.onCreate?.({ id, family, prompt: f.prompt });
    return job;
  }

  /** Removes a job and its generations (a DELETE, or expiry). */
  remove(job: EmJob) {
    job.gone = true;
    this.jobs.delete(job.id);
    this.active.delete(job);
    this.pending.delete(job);
    for (const g of job.generations) this.generations.delete(g);
  }

  private finish(job: EmJob, at: number) {
    job.finishedAt = at;
    if (job.outcome === 'succeeded' && job.family === 'sora-1') {
      for (let i = 0; i < job.variants; i++) {
        const gid = `gen_${base32(26)}`;
        job.generations.push(gid);
        this.generations.set(gid, job);
      }
    }
  }

  /** The oldest sora-1 job still waiting for a slot. */
  private queued(): EmJob | undefined {
    while (this.queueHead < this.queue.length) {
      const head = this.queue[this.queueHead]!;
      if (!head.gone && head.startedAt === null) return head;
      this.queueHead++;
    }
    if (this.queueHead > 0) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
    return undefined;
  }

  /**
   * Moves every job forward to `t`, in event order, honouring the sora-1 concurrency limit; then
   * drops what expired. Costs the number of events plus the unfinished sora-2 jobs, not all jobs.
   */
  advance(t: number) {
    for (;;) {
      let nextEnd = Infinity;
      let ending: EmJob | undefined;
      for (const j of this.active) {
        if (j.startedAt! + j.runMs < nextEnd) {
          nextEnd = j.startedAt! + j.runMs;
          ending = j;
        }
      }
      const head = this.queued();
      const nextStart = head && this.active.size < this.maxConcurrent ? Math.max(head.createdAt + head.queueMs, this.clock) : Infinity;
      if (Math.min(nextEnd, nextStart) > t) break;
      if (nextEnd <= nextStart) {
        this.active.delete(ending!);
        this.finish(ending!, nextEnd);
        this.clock = nextEnd;
      } else {
        head!.startedAt = nextStart;
        this.queueHead++;
        this.active.add(head!);
        this.clock = nextStart;
        this.stats.maxRunningSora1 = Math.max(this.stats.maxRunningSora1, this.active.size);
      }
    }
    for (const j of this.pending) {
      if (j.startedAt! + j.runMs <= t) {
        this.pending.delete(j);
        this.finish(j, j.startedAt! + j.runMs);
      }
    }
    // Jobs are in creation order, so the expired ones come first.
    for (const j of this.jobs.values()) {
      if (t - j.createdAt < this.expireAfterMs) break;
      this.remove(j);
    }
  }

  /** A job of this family, or 404. */
  lookup(family: Family, id: string): EmJob {
    const j = this.jobs.get(id);
    if (!j || j.family !== family) throw notFound(family, family === 'sora-1' ? `job ${id}` : `video ${id}`);
    return j;
  }

  /** With moderationMode `create`, a moderated prompt is refused at create with 400 content_filter. */
  checkModerationAtCreate(family: Family, prompt: string) {
    if (this.options.moderationMode !== 'create' || !this.moderate || !prompt.toLowerCase().includes(this.moderate)) return;
    const message = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.";
    throw new HttpError(
      400,
      family === 'sora-1'
        ? // The jobs API: no prompt was revised, so no revised_prompt (its schema has no null).
          {
            code: 'content_filter',
            message,
            param: 'prompt',
            type: 'invalid_request_error',
            inner_error: { code: 'ResponsibleAIPolicyViolation', error_details: 'prompt' },
          }
        : {
            error: {
              code: 'content_filter',
              message,
              param: 'prompt',
              status: 400,
              innererror: { code: 'ResponsibleAIPolicyViolation', revised_prompt: null, error_details: 'prompt' },
            },
          },
    );
  }

  /** Counts a create against its family's window, or throws 429 with Retry-After. */
  rateLimit(family: Family, t: number) {
    const limit = this.options.rateLimit;
    if (!limit) return;
    const times = this.createTimes[family].filter((x) => t - x < this.windowMs);
    this.createTimes[family] = times;
    if (times.length >= limit) {
      this.stats.rateLimited[family]++;
      const waitMs = Math.max(1, Math.ceil(times[0]! + this.windowMs - t));
      const seconds = Math.ceil(waitMs / 1000);
      const message = `Requests to the video generation API have exceeded the call rate limit of your current pricing tier. Please retry after ${seconds} seconds.`;
      throw new HttpError(429, errorBody(family, '429', message, { type: 'rate_limit_exceeded' }), {
        'retry-after': String(seconds),
        'retry-after-ms': String(waitMs),
        'x-ratelimit-remaining-requests': '0',
      });
    }
    times.push(t);
  }

  /** With errorRate, answers this polling request 500 now and then (seeded). */
  injected500(family: Family) {
    const rate = this.options.errorRate;
    if (rate && this.requestRandom() < rate) {
      throw new HttpError(500, errorBody(family, 'internal_error', 'The server had an error while processing your request.', { type: 'server_error' }));
    }
  }

  /** Seconds since the epoch (the APIs' timestamps). */
  secs(ms: number | null): number | null {
    return ms === null ? null : Math.floor(ms / 1000);
  }

  expiresAt(j: EmJob): number | null {
    return this.secs(j.createdAt + this.expireAfterMs);
  }
}
