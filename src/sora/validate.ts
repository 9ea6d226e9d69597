import { SoraValidationError } from './errors.js';
import type { SoraVersion } from './types.js';

/**
 * The sizes, durations and variant counts each model accepts, as the Azure Sora 1 jobs API and the
 * sora-2 videos API document them: refused here, before a request is paid for.
 */

export const SORA1_SIZES = ['480x480', '480x854', '854x480', '720x720', '720x1280', '1280x720', '1080x1080', '1080x1920', '1920x1080'] as const;
export const SORA1_MIN_SECONDS = 1;
export const SORA1_MAX_SECONDS = 20;
/** PyRIT enforces it; Microsoft's docs are silent. Cheaper to refuse than to pay for a failure. */
export const SORA1_MAX_SECONDS_1080P = 10;

export const SORA2_SIZES = ['720x1280', '1280x720'] as const;
export const SORA2_PRO_SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'] as const;
export const SORA2_SECONDS = [4, 8, 12] as const;

/**
 * The longest prompt a create may carry, in characters (Unicode code points, as JSON Schema's
 * maxLength counts). OpenAI's published OpenAPI description of the videos API (sora-2) gives
 * 32,000; Azure's description of the jobs API (sora-1) documents no limit, so the same one is
 * used for both: nothing longer is recorded, sent or billed.
 */
export const MAX_PROMPT_CHARS = 32_000;

/** Refuses an empty prompt, or one longer than the APIs take (exit 2), before any request. */
export function checkPrompt(prompt: string | undefined): void {
  if (!prompt?.trim()) throw new SoraValidationError('the prompt is empty', { param: 'prompt' });
  // Code points are never more than UTF-16 units: count them only when the quick length is over.
  if (prompt.length > MAX_PROMPT_CHARS) {
    let chars = 0;
    for (const _ of prompt) if (++chars > MAX_PROMPT_CHARS) break;
    if (chars > MAX_PROMPT_CHARS) {
      throw new SoraValidationError(`the prompt is longer than the ${MAX_PROMPT_CHARS.toLocaleString('en')} characters the Sora APIs take`, {
        param: 'prompt',
      });
    }
  }
}

export const DEFAULTS = {
  'sora-1': { size: '1280x720', width: 1280, height: 720, seconds: 5, variants: 1 },
  'sora-2': { size: '720x1280', width: 720, height: 1280, seconds: 4, variants: 1 },
} as const;

export interface RequestShape {
  size?: string;
  width?: number;
  height?: number;
  seconds?: number | string;
  variants?: number | string;
  /** Deployment or model name; `sora-2-pro` in it unlocks the pro sizes. */
  model?: string;
}

export interface ValidRequest {
  size: string;
  width: number;
  height: number;
  seconds: number;
  variants: number;
}

/** Max variants for a sora-1 size: 1080p none (1), 720p 2, smaller 4. */
export function sora1MaxVariants(width: number, height: number): number {
  // 720x720 and 1080x1080 count with their class: stricter is cheaper than a refused job.
  const short = Math.min(width, height);
  if (short >= 1080) return 1;
  if (short >= 720) return 2;
  return 4;
}

export function isProModel(model: string | undefined): boolean {
  return !!model && /sora-2-pro/i.test(model);
}

export function parseSize(size: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(size);
  if (!m) throw new SoraValidationError(`invalid size ${JSON.stringify(size)}: expected WIDTHxHEIGHT, e.g. 1280x720`, { param: 'size' });
  return { width: Number(m[1]), height: Number(m[2]) };
}

function toInt(value: number | string, param: string): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  // Past 2^53 a number is rounded: the error would name another value than the one given.
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    throw new SoraValidationError(`invalid ${param} ${JSON.stringify(String(value).trim())}: far too large`, { param });
  }
  if (!Number.isInteger(n)) {
    throw new SoraValidationError(`invalid ${param} ${JSON.stringify(value)}: expected a whole number`, { param });
  }
  return n;
}

/**
 * Checks size, seconds and variants against the model before any request (and any money) is
 * spent; fills in the defaults. Pure. Throws SoraValidationError naming the bad value and the
 * allowed ones.
 */
export function validateRequest(soraVersion: SoraVersion, req: RequestShape): ValidRequest {
  const d = DEFAULTS[soraVersion];
  let width: number;
  let height: number;
  if (req.size !== undefined) {
    ({ width, height } = parseSize(req.size));
  } else if (req.width !== undefined || req.height !== undefined) {
    if (req.width === undefined || req.height === undefined) {
      throw new SoraValidationError('give both width and height (or a size WxH)', { param: 'size' });
    }
    width = toInt(req.width, 'width');
    height = toInt(req.height, 'height');
  } else {
    width = d.width;
    height = d.height;
  }
  const size = `${width}x${height}`;
  const seconds = req.seconds === undefined ? d.seconds : toInt(req.seconds, 'seconds');
  const variants = req.variants === undefined ? d.variants : toInt(req.variants, 'variants');

  if (soraVersion === 'sora-1') {
    if (!(SORA1_SIZES as readonly string[]).includes(size)) {
      throw new SoraValidationError(`size ${size} is not supported by sora-1; allowed: ${SORA1_SIZES.join(', ')}`, { param: 'size' });
    }
    if (seconds < SORA1_MIN_SECONDS || seconds > SORA1_MAX_SECONDS) {
      throw new SoraValidationError(`seconds ${seconds} is not supported by sora-1; allowed: ${SORA1_MIN_SECONDS}–${SORA1_MAX_SECONDS}`, { param: 'seconds' });
    }
    if (Math.min(width, height) >= 1080 && seconds > SORA1_MAX_SECONDS_1080P) {
      throw new SoraValidationError(`seconds ${seconds} is too long for ${size} on sora-1; 1080p allows ${SORA1_MIN_SECONDS}–${SORA1_MAX_SECONDS_1080P}`, {
        param: 'seconds',
      });
    }
    const max = sora1MaxVariants(width, height);
    if (variants < 1 || variants > max) {
      throw new SoraValidationError(`variants ${variants} is not allowed for ${size} on sora-1; allowed: 1${max > 1 ? `–${max}` : ''}`, { param: 'variants' });
    }
    return { size, width, height, seconds, variants };
  }

  const pro = isProModel(req.model);
  const sizes: readonly string[] = pro ? SORA2_PRO_SIZES : SORA2_SIZES;
  if (!sizes.includes(size)) {
    const proNote = !pro && (SORA2_PRO_SIZES as readonly string[]).includes(size) ? ' (that size needs sora-2-pro)' : '';
    throw new SoraValidationError(`size ${size} is not supported by ${pro ? 'sora-2-pro' : 'sora-2'}${proNote}; allowed: ${sizes.join(', ')}`, {
      param: 'size',
    });
  }
  if (!(SORA2_SECONDS as readonly number[]).includes(seconds)) {
    throw new SoraValidationError(`seconds ${seconds} is not supported by sora-2; allowed: ${SORA2_SECONDS.join(', ')}`, {
      param: 'seconds',
    });
  }
  if (variants !== 1) {
    throw new SoraValidationError(`variants ${variants} is not supported by sora-2; allowed: 1 (run it several times instead)`, {
      param: 'variants',
    });
  }
  return { size, width, height, seconds, variants };
}
