import type { IncomingMessage } from 'node:http';
import { sendContent } from './content.js';
import { checkDeployment, deploymentModel } from './deployments.js';
import { bad, notFound, parseBody } from './http.js';
import { listPage } from './paging.js';
import type { Result, Route } from './routes.js';
import type { EmulatorState } from './state.js';
import type { EmJob } from './types.js';

/** The sora-2 videos API (OpenAI-compatible): /videos and /videos/{id}[/content|/remix]. */

const SORA2_SIZES = new Set(['720x1280', '1280x720']);
const SORA2_PRO_SIZES = new Set(['720x1280', '1280x720', '1024x1792', '1792x1024']);

export function sora2Json(state: EmulatorState, j: EmJob, t: number) {
  const done = j.finishedAt !== null;
  let status: string;
  let progress: number;
  if (done) {
    status = j.outcome === 'succeeded' ? 'completed' : 'failed';
    progress = j.outcome === 'succeeded' ? 100 : Math.min(99, Math.floor((100 * j.runMs) / (j.durationMs * 0.9)));
  } else if (t < j.startedAt!) {
    status = 'queued';
    progress = 0;
  } else {
    status = 'in_progress';
    progress = Math.min(99, Math.floor((100 * (t - j.startedAt!)) / (j.durationMs * 0.9)));
  }
  return {
    id: j.id,
    object: 'video',
    model: j.model,
    status,
    progress,
    created_at: state.secs(j.createdAt),
    completed_at: done && j.outcome === 'succeeded' ? state.secs(j.finishedAt) : null,
    expires_at: state.expiresAt(j),
    prompt: j.prompt,
    seconds: String(j.seconds),
    size: `${j.width}x${j.height}`,
    remixed_from_video_id: j.remixedFrom,
    error: done && j.outcome === 'failed' ? { code: j.failureCode, message: j.failureMessage } : null,
  };
}

async function create(state: EmulatorState, req: IncomingMessage, t: number, remixOf?: EmJob): Promise<Result> {
  const body = await parseBody('sora-2', req);
  const f = body.fields;
  const prompt = f.prompt;
  if (!prompt) throw bad('sora-2', "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  let width: number;
  let height: number;
  let seconds: number;
  let model: string;
  if (remixOf) {
    ({ width, height, seconds, model } = remixOf);
    checkDeployment(state.options, 'sora-2', model);
  } else {
    if (f.n !== undefined) throw bad('sora-2', 'Unrecognized request argument supplied: n', 'n', 'unknown_parameter');
    model = f.model ?? 'sora-2';
    checkDeployment(state.options, 'sora-2', model);
    const size = f.size ?? '720x1280';
    const sizes = /sora-2-pro/i.test(deploymentModel(state.options, model)) ? SORA2_PRO_SIZES : SORA2_SIZES;
    if (!sizes.has(size))
      throw bad('sora-2', `Invalid value: '${size}'. Supported values are: ${[...sizes].map((s) => `'${s}'`).join(', ')}.`, 'size', 'invalid_value');
    const s = f.seconds ?? '4';
    if (!['4', '8', '12'].includes(s)) throw bad('sora-2', `Invalid value: '${s}'. Supported values are: '4', '8', and '12'.`, 'seconds', 'invalid_value');
    [width, height] = size.split('x').map(Number) as [number, number];
    seconds = Number(s);
    const ref = body.files.find((x) => x.field === 'input_reference');
    if (body.files.length > 0 && !ref) throw bad('sora-2', 'unexpected file field; use input_reference', 'input_reference');
    if (ref && !/^image\/(jpeg|png|webp)$/.test(ref.type)) {
      throw bad('sora-2', `input_reference must be image/jpeg, image/png or image/webp, got ${ref.type || 'no type'}`, 'input_reference', 'invalid_value');
    }
    if (ref && ref.size === 0) throw bad('sora-2', 'input_reference is empty', 'input_reference', 'invalid_value');
  }
  state.checkModerationAtCreate('sora-2', prompt);
  state.rateLimit('sora-2', t);
  const job = state.newJob('sora-2', { prompt, model, width, height, seconds, variants: 1 });
  job.hasInputReference = body.files.length > 0;
  if (remixOf) {
    job.remixedFrom = remixOf.id;
    state.stats.remixes++;
  }
  return { status: 200, body: sora2Json(state, job, t) };
}

const VARIANTS = { video: 'mp4', thumbnail: 'webp', spritesheet: 'jpg' } as const;

export const sora2Routes: readonly Route[] = [
  { method: 'POST', path: '/videos', handler: ({ state, req, t }) => create(state, req, t) },
  {
    method: 'GET',
    path: '/videos',
    handler: ({ state, url, t }) => {
      state.injected500('sora-2');
      return { status: 200, body: listPage(state, 'sora-2', url.searchParams, (j) => sora2Json(state, j, t)) };
    },
  },
  {
    method: 'GET',
    path: '/videos/{id}',
    handler: ({ state, params, t }) => {
      state.injected500('sora-2');
      const j = state.lookup('sora-2', params.id!);
      if (t - j.createdAt < state.early404Ms) throw notFound('sora-2', `video ${params.id}`);
      return { status: 200, body: sora2Json(state, j, t) };
    },
  },
  {
    method: 'DELETE',
    path: '/videos/{id}',
    handler: ({ state, params, t }) => {
      const id = params.id!;
      const j = state.lookup('sora-2', id);
      if (j.finishedAt === null)
        throw bad('sora-2', `Video ${id} is still ${sora2Json(state, j, t).status}; only completed or failed videos can be deleted.`, 'video_id');
      state.remove(j);
      return { status: 200, body: { id, deleted: true, object: 'video.deleted' } };
    },
  },
  {
    method: ['GET', 'HEAD'],
    path: '/videos/{id}/content',
    handler: async ({ state, res, method, url, params, t }) => {
      const id = params.id!;
      const j = state.lookup('sora-2', id);
      const variant = url.searchParams.get('variant') ?? 'video';
      if (!Object.hasOwn(VARIANTS, variant)) {
        throw bad('sora-2', `Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail' and 'spritesheet'.`, 'variant', 'invalid_value');
      }
      if (j.finishedAt === null || j.outcome !== 'succeeded') throw notFound('sora-2', `content of video ${id}`);
      await sendContent(state, res, method, VARIANTS[variant as keyof typeof VARIANTS], j, t);
      return 'sent' as const;
    },
  },
  {
    method: 'POST',
    path: '/videos/{id}/remix',
    handler: ({ state, req, params, t }) => {
      const src = state.lookup('sora-2', params.id!);
      if (src.finishedAt === null || src.outcome !== 'succeeded') {
        throw bad('sora-2', `Video ${params.id} is not completed; only completed videos can be remixed.`, 'video_id');
      }
      return create(state, req, t, src);
    },
  },
];
