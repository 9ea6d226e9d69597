import { SORA1_SIZES } from '../sora/validate.js';

/**
 * The price table of PRODUCT.md ("Pricing"), as data: USD per generated second, with source
 * and date per row. None of these is a bill: they are estimates (sora-api.md §3).
 */

export type PricedModel = 'sora-2' | 'sora-2-pro' | 'sora-1';

export interface PriceRow {
  model: PricedModel;
  /** "WxH", or "*" for every size the model supports. */
  size: string;
  usd_per_second: number;
  source: string;
  as_of: string;
}

export interface PriceTable {
  /** Stored with each generation so old reports never change when prices do. */
  version: string;
  rows: PriceRow[];
}

const SORA1_REFERENCE_PIXELS = 1280 * 720;

/** sora-1: the Octo web app's own estimate, so both tools write the same estimated_cost. */
export function sora1UsdPerSecond(width: number, height: number): number {
  return (0.05 * (width * height)) / SORA1_REFERENCE_PIXELS;
}

export const BUILTIN_PRICES: PriceTable = {
  version: 'builtin-2026-11-25',
  rows: [
    { model: 'sora-2', size: '720x1280', usd_per_second: 0.1, source: "OpenAI's published price (developers.openai.com, models/sora-2); the web app uses the same", as_of: '2025-10-06' },
    { model: 'sora-2', size: '1280x720', usd_per_second: 0.1, source: "OpenAI's published price (developers.openai.com, models/sora-2); the web app uses the same", as_of: '2025-10-06' },
    { model: 'sora-2-pro', size: '720x1280', usd_per_second: 0.3, source: "OpenAI's published price (developers.openai.com, models/sora-2)", as_of: '2025-10-06' },
    { model: 'sora-2-pro', size: '1280x720', usd_per_second: 0.3, source: "OpenAI's published price (developers.openai.com, models/sora-2)", as_of: '2025-10-06' },
    { model: 'sora-2-pro', size: '1024x1792', usd_per_second: 0.5, source: 'consistent third-party figures (no official page read)', as_of: '2025-10-06' },
    { model: 'sora-2-pro', size: '1792x1024', usd_per_second: 0.5, source: 'consistent third-party figures (no official page read)', as_of: '2025-10-06' },
    ...SORA1_SIZES.map((size) => {
      const [w, h] = size.split('x').map(Number);
      return {
        model: 'sora-1' as const,
        size,
        usd_per_second: sora1UsdPerSecond(w, h),
        source: "Octo web app's estimate: 0.05 x (w x h) / (1280 x 720) $/s; Microsoft publishes no Sora 1 price",
        as_of: '2025-12-09',
      };
    }),
  ],
};

/** Which price row a profile's deployment uses: `sora-2-pro` in the name means pro. */
export function pricedModel(soraVersion: 'sora-1' | 'sora-2', deployment: string): PricedModel {
  if (soraVersion === 'sora-1') return 'sora-1';
  return /sora-2-pro/i.test(deployment) ? 'sora-2-pro' : 'sora-2';
}
