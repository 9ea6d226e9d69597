import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { checkText } from '../core/text.js';
import { estimateCost } from '../costs/estimate.js';
import { roundUsd } from '../core/money.js';
import { BUILTIN_PRICES, type PriceTable } from '../costs/pricing.js';
import type { NewGeneration } from '../db/tables/generations.js';
import type { ProfileWithKey } from '../sora/profile.js';
import { SoraValidationError, checkPrompt, validateRequest } from '../sora/index.js';

/**
 * One generation as asked for (a command line, or one line of a batch file), checked against its
 * profile's model and priced: everything needed to record it and, later, to submit it again.
 */

export interface GenerationInput {
  prompt: string;
  seconds?: number | string;
  size?: string;
  variants?: number | string;
  image?: string;
  remix?: string;
  profile?: string;
  tags?: Record<string, string>;
}

/** Stored in video_generations.request: what a resumed run needs to submit the line. */
export interface StoredRequest {
  prompt: string;
  size: string;
  seconds: number;
  variants: number;
  image: string | null;
  remix: string | null;
  profile: string;
  out: string;
  download: boolean;
}

export interface Plan {
  input: GenerationInput;
  profile: ProfileWithKey;
  model: string;
  mode: NewGeneration['generation_mode'];
  width: number;
  height: number;
  size: string;
  seconds: number;
  variants: number;
  /** Absolute path of the image, when image-to-video. */
  image: string | null;
  remix: string | null;
  estimatedCost: number;
  unitPrice: number;
  pricingVersion: string;
}

export interface PlanDefaults {
  size?: string;
  seconds?: string;
}

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

export function imageContentType(path: string): string {
  return IMAGE_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Picks the profile: the named one, else the active one, else config `default-profile`. */
/**
 * Validates and prices one generation. Throws UsageError (SoraValidationError is one) naming the
 * bad value; the caller adds the file:line of a batch.
 */
export function planGeneration(input: GenerationInput, profile: ProfileWithKey, o: { defaults?: PlanDefaults; cwd: string; prices?: PriceTable }): Plan {
  if (!input.prompt?.trim()) throw new UsageError('the prompt is empty');
  checkPrompt(input.prompt);
  checkText('the prompt', input.prompt);
  for (const [k, v] of Object.entries(input.tags ?? {})) {
    checkText(`tag name ${JSON.stringify(k)}`, k);
    checkText(`tag ${k}`, v);
  }
  const family = profile.sora_version;
  let image: string | null = null;
  if (input.image) {
    image = isAbsolute(input.image) ? input.image : resolve(o.cwd, input.image);
    if (!existsSync(image) || !statSync(image).isFile()) throw new UsageError(`image not found: ${image}`);
    if (!IMAGE_TYPES[extname(image).toLowerCase()]) throw new UsageError(`image ${image} must be .png, .jpg, .jpeg or .webp`);
  }
  if (input.remix) {
    if (family !== 'sora-2') {
      throw new UsageError(`--remix needs a sora-2 profile; profile "${profile.name}" is ${family}, which has no remix`, {
        hint: 'pass --profile NAME of a sora-2 profile',
      });
    }
    if (image) throw new UsageError('--remix and --image cannot be used together');
  }
  const useDefaults = input.remix === undefined;
  const size = input.size ?? (useDefaults ? o.defaults?.size : undefined);
  const seconds = input.seconds ?? (useDefaults && o.defaults?.seconds !== undefined ? o.defaults.seconds : undefined);
  let v;
  try {
    v = validateRequest(family, { size, seconds, variants: input.variants, model: profile.model });
  } catch (error) {
    if (error instanceof SoraValidationError && input.size === undefined && size !== undefined && error.param === 'size') {
      throw new UsageError(`${error.message} (from config default-size)`, { hint: 'pass --size, or: octo config unset default-size' });
    }
    if (error instanceof SoraValidationError && input.seconds === undefined && seconds !== undefined && error.param === 'seconds') {
      throw new UsageError(`${error.message} (from config default-seconds)`, { hint: 'pass --seconds, or: octo config unset default-seconds' });
    }
    throw error;
  }
  // The profile's model (set with --model, else guessed from the deployment's name) decides sizes and price.
  const model = profile.model;
  const estimate = estimateCost(o.prices ?? BUILTIN_PRICES, { model, width: v.width, height: v.height, seconds: v.seconds, variants: v.variants });
  return {
    input,
    profile,
    model,
    mode: input.remix ? 'remix' : image ? 'image-to-video' : 'text-to-video',
    width: v.width,
    height: v.height,
    size: v.size,
    seconds: v.seconds,
    variants: v.variants,
    image,
    remix: input.remix ?? null,
    estimatedCost: roundUsd(estimate.usd),
    unitPrice: estimate.unit_price,
    pricingVersion: estimate.pricing_version,
  };
}

export function storedRequest(plan: Plan, o: { out: string; download: boolean }): StoredRequest {
  return {
    prompt: plan.input.prompt,
    size: plan.size,
    seconds: plan.seconds,
    variants: plan.variants,
    image: plan.image,
    remix: plan.remix,
    profile: plan.profile.name,
    out: o.out,
    download: o.download,
  };
}

export function newGeneration(
  plan: Plan,
  o: { out: string; download: boolean; batchId?: string; run?: number; line?: number; lineKey?: string },
): NewGeneration {
  return {
    prompt: plan.input.prompt,
    sora_model: plan.model,
    duration: plan.seconds,
    resolution: plan.size,
    variants: plan.variants,
    generation_mode: plan.mode,
    estimated_cost: plan.estimatedCost,
    profile_name: plan.profile.name,
    idempotency_key: o.batchId ? `${runPrefix(o.batchId, o.run ?? 1)}:${o.lineKey ?? o.line}` : null,
    batch_id: o.batchId ?? null,
    batch_line: o.line ?? null,
    request: storedRequest(plan, o) as unknown as Record<string, unknown>,
    tags: plan.input.tags && Object.keys(plan.input.tags).length ? plan.input.tags : null,
    unit_price_usd: plan.unitPrice,
    pricing_version: plan.pricingVersion,
  };
}

/** `--tag k=v` (repeatable) into an object. */
export function parseTag(value: string, previous: unknown): Record<string, string> {
  const m = /^([^=\s]+)=(.*)$/.exec(value);
  const [, key, tagValue] = m ?? [];
  if (key === undefined || tagValue === undefined) throw new UsageError(`--tag must look like KEY=VALUE, got ${JSON.stringify(value)}`);
  return { ...(previous as Record<string, string> | undefined), [key]: tagValue };
}

/**
 * The prefix of a run's line keys: the batch id for a file's first run, and `BATCH:runR` for the
 * run `--again` started (r ≥ 2), so a file run again on purpose records its lines anew.
 */
export function runPrefix(batchId: string, run: number): string {
  return run <= 1 ? batchId : `${batchId}:run${run}`;
}
