import type { IncomingMessage } from 'node:http';
import { sendContent } from './content.js';
import { checkDeployment } from './deployments.js';
import { bad, intField, notFound, parseBody } from './http.js';
import { listPage } from './paging.js';
import type { Result, Route } from './routes.js';
import type { EmulatorState } from './state.js';
import type { EmJob } from './types.js';

/** The sora-1 jobs API (Azure only): /video/generations/jobs and /video/generations/{id}. */

const SORA1_SIZES = new Set(['480x480', '480x854', '854x480', '720x720', '720x1280', '1280x720', '1080x1080', '1080x1920', '1920x1080']);

export function sora1Status(j: EmJob, t: number): string {
  if (j.finishedAt !== null) return j.outcome;
  if (j.startedAt === null) return 'queued';
  const e = t - j.startedAt;
  if (e < j.durationMs * 0.15) return 'preprocessing';
  if (e < j.durationMs * 0.75) return 'running';
  return 'processing';
}

export function sora1Json(state: EmulatorState, j: EmJob, t: number) {
  const status = sora1Status(j, t);
  const done = j.finishedAt !== null;
  return {
    object: 'video.generation.job',
    id: j.id,
    status,
    created_at: state.secs(j.createdAt),
    finished_at: done ? state.secs(j.finishedAt) : null,
    expires_at: done ? state.expiresAt(j) : null,
    generations: j.generations.map((g) => generationJson(state, g, j)),
    prompt: j.prompt,
    model: j.model,
    n_variants: j.variants,
    n_seconds: j.seconds,
    height: j.height,
    width: j.width,
    inpaint_items: j.inpaintItems ?? undefined,
    failure_reason: done && j.outcome === 'failed' ? j.failureCode : null,
  };
}

function generationJson(state: EmulatorState, gid: string, j: EmJob) {
  return {
    object: 'video.generation',
    id: gid,
    job_id: j.id,
    created_at: state.secs(j.finishedAt),
    width: j.width,
    height: j.height,
    n_seconds: j.seconds,
    prompt: j.prompt,
  };
}

/** inpaint_items (multipart only) must name uploaded files; at most 2 images. */
function inpaintItems(fields: Record<string, string>, files: { field: string; filename: string }[]): unknown[] {
  let inpaint: unknown;
  try {
    inpaint = JSON.parse(fields.inpaint_items ?? '[]');
  } catch {
    throw bad('sora-1', 'inpaint_items must be a JSON array', 'inpaint_items');
  }
  if (!Array.isArray(inpaint) || inpaint.length === 0) throw bad('sora-1', 'inpaint_items must be a non-empty JSON array', 'inpaint_items');
  const names = new Set(files.filter((x) => x.field === 'files').map((x) => x.filename));
  const images = inpaint.filter((it) => (it as { type?: string }).type !== 'video');
  if (images.length > 2) throw bad('sora-1', 'at most 2 images may be given', 'inpaint_items');
  for (const it of inpaint) {
    const item = it as { file_name?: string; type?: string };
    if (item.type !== 'image' && item.type !== 'video') throw bad('sora-1', `inpaint item type must be image or video, got ${item.type}`, 'inpaint_items');
    if (!item.file_name || !names.has(item.file_name))
      throw bad('sora-1', `inpaint item file_name ${item.file_name} matches no uploaded file`, 'inpaint_items');
  }
  return inpaint;
}

async function create(state: EmulatorState, req: IncomingMessage, t: number): Promise<Result> {
  const body = await parseBody('sora-1', req);
  const f = body.fields;
  const prompt = f.prompt;
  if (!prompt) throw bad('sora-1', "'prompt' is required", 'prompt', 'missing_required_parameter');
  if (!f.model) throw bad('sora-1', "'model' is required", 'model', 'missing_required_parameter');
  checkDeployment(state.options, 'sora-1', f.model);
  const width = intField('sora-1', f, 'width');
  const height = intField('sora-1', f, 'height');
  const seconds = intField('sora-1', f, 'n_seconds', 5);
  const variants = intField('sora-1', f, 'n_variants', 1);
  const size = `${width}x${height}`;
  if (!SORA1_SIZES.has(size)) throw bad('sora-1', `The resolution ${size} is not supported. Supported: ${[...SORA1_SIZES].join(', ')}.`, 'width');
  if (seconds < 1 || seconds > 20) throw bad('sora-1', `n_seconds must be between 1 and 20, got ${seconds}.`, 'n_seconds');
  const short = Math.min(width, height);
  if (short >= 1080 && seconds > 10) throw bad('sora-1', `1080p videos are limited to 10 seconds, got ${seconds}.`, 'n_seconds');
  const maxVariants = short >= 1080 ? 1 : short >= 720 ? 2 : 4;
  if (variants < 1 || variants > maxVariants)
    throw bad('sora-1', `n_variants must be between 1 and ${maxVariants} for ${size}, got ${variants}.`, 'n_variants');
  const inpaint = body.multipart && (f.inpaint_items !== undefined || body.files.length > 0) ? inpaintItems(f, body.files) : null;
  state.checkModerationAtCreate('sora-1', prompt);
  state.rateLimit('sora-1', t);
  const job = state.newJob('sora-1', { prompt, model: f.model, width, height, seconds, variants });
  job.inpaintItems = inpaint;
  return { status: 200, body: sora1Json(state, job, t) };
}

const content =
  (kind: 'mp4' | 'jpg'): Route['handler'] =>
  async ({ state, res, method, url, params, t }) => {
    const j = state.generations.get(params.id!);
    if (!j) throw notFound('sora-1', `generation ${params.id}`);
    const quality = url.searchParams.get('quality');
    if (quality && quality !== 'high' && quality !== 'low') throw bad('sora-1', `quality must be high or low, got ${quality}`, 'quality');
    await sendContent(state, res, method, kind, j, t);
    return 'sent' as const;
  };

export const sora1Routes: readonly Route[] = [
  { method: 'POST', path: '/video/generations/jobs', handler: ({ state, req, t }) => create(state, req, t) },
  {
    method: 'GET',
    path: '/video/generations/jobs',
    handler: ({ state, url, t }) => {
      state.injected500('sora-1');
      const statuses = url.searchParams.get('statuses');
      const want = statuses ? new Set(statuses.split(',').map((s) => s.trim())) : null;
      const keep = want ? (j: EmJob) => want.has(sora1Status(j, t)) : undefined;
      return { status: 200, body: listPage(state, 'sora-1', url.searchParams, (j) => sora1Json(state, j, t), keep) };
    },
  },
  {
    method: 'GET',
    path: '/video/generations/jobs/{id}',
    handler: ({ state, params, t }) => {
      state.injected500('sora-1');
      const j = state.lookup('sora-1', params.id!);
      if (t - j.createdAt < state.early404Ms) throw notFound('sora-1', `job ${params.id}`);
      return { status: 200, body: sora1Json(state, j, t) };
    },
  },
  {
    method: 'DELETE',
    path: '/video/generations/jobs/{id}',
    handler: ({ state, params }) => {
      state.remove(state.lookup('sora-1', params.id!));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/video/generations/{id}',
    handler: ({ state, params }) => {
      const j = state.generations.get(params.id!);
      if (!j) throw notFound('sora-1', `generation ${params.id}`);
      return { status: 200, body: generationJson(state, params.id!, j) };
    },
  },
  { method: ['GET', 'HEAD'], path: '/video/generations/{id}/content/video', handler: content('mp4') },
  { method: ['GET', 'HEAD'], path: '/video/generations/{id}/content/thumbnail', handler: content('jpg') },
];
