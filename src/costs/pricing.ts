import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { SoraModel } from '../sora/types.js';
import { SORA1_SIZES, parseSize } from '../sora/validate.js';

/**
 * The built-in price table, as data: USD per generated second, with source and date per row.
 * Both APIs bill per generated second. None of these is a bill: Microsoft publishes no per-second
 * Sora 1 price and Azure's sora-2 price is assumed equal to OpenAI's, so every figure is an
 * estimate, and a pricing file may replace any row.
 */

/** The price table's models: a profile's model (sora-1, sora-2, sora-2-pro). */
export type PricedModel = SoraModel;

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
    {
      model: 'sora-2',
      size: '720x1280',
      usd_per_second: 0.1,
      source: "OpenAI's published price (developers.openai.com, models/sora-2); the web app uses the same",
      as_of: '2025-10-06',
    },
    {
      model: 'sora-2',
      size: '1280x720',
      usd_per_second: 0.1,
      source: "OpenAI's published price (developers.openai.com, models/sora-2); the web app uses the same",
      as_of: '2025-10-06',
    },
    {
      model: 'sora-2-pro',
      size: '720x1280',
      usd_per_second: 0.3,
      source: "OpenAI's published price (developers.openai.com, models/sora-2)",
      as_of: '2025-10-06',
    },
    {
      model: 'sora-2-pro',
      size: '1280x720',
      usd_per_second: 0.3,
      source: "OpenAI's published price (developers.openai.com, models/sora-2)",
      as_of: '2025-10-06',
    },
    { model: 'sora-2-pro', size: '1024x1792', usd_per_second: 0.5, source: 'consistent third-party figures (no official page read)', as_of: '2025-10-06' },
    { model: 'sora-2-pro', size: '1792x1024', usd_per_second: 0.5, source: 'consistent third-party figures (no official page read)', as_of: '2025-10-06' },
    ...SORA1_SIZES.map((size) => {
      const { width, height } = parseSize(size);
      return {
        model: 'sora-1' as const,
        size,
        usd_per_second: sora1UsdPerSecond(width, height),
        source: "Octo web app's estimate: 0.05 x (w x h) / (1280 x 720) $/s; Microsoft publishes no Sora 1 price",
        as_of: '2025-12-09',
      };
    }),
  ],
};

const PRICED_MODELS: readonly PricedModel[] = ['sora-2', 'sora-2-pro', 'sora-1'];
const SIZE = /^(\d{2,5}x\d{2,5}|\*)$/;
const AS_OF = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a pricing file: a JSON array of {model, size, usd_per_second, source, as_of} (or an
 * object with such a `rows` array). Errors name the file, the row index and the field.
 */
export function parsePricingFile(content: string, path: string): PriceRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new UsageError(`pricing file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(list)) {
    throw new UsageError(`pricing file ${path} must hold a JSON array of price rows`, {
      hint: 'e.g. [{"model":"sora-2","size":"1280x720","usd_per_second":0.1,"source":"invoice","as_of":"2026-01-01"}]',
    });
  }
  return list.map((raw, index) => {
    const where = `pricing file ${path}, row ${index}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${where}: must be an object`);
    const row = raw as Record<string, unknown>;
    if (typeof row.model !== 'string' || !PRICED_MODELS.includes(row.model as PricedModel)) {
      throw new UsageError(`${where}: "model" must be one of ${PRICED_MODELS.join(', ')} (got ${JSON.stringify(row.model)})`);
    }
    if (typeof row.size !== 'string' || !SIZE.test(row.size)) {
      throw new UsageError(`${where}: "size" must be WxH (e.g. 1280x720) or "*" (got ${JSON.stringify(row.size)})`);
    }
    if (typeof row.usd_per_second !== 'number' || !Number.isFinite(row.usd_per_second) || row.usd_per_second < 0) {
      throw new UsageError(`${where}: "usd_per_second" must be a number >= 0 (got ${JSON.stringify(row.usd_per_second)})`);
    }
    if (typeof row.source !== 'string' || !row.source.trim()) {
      throw new UsageError(`${where}: "source" must be a non-empty string saying where the price comes from`);
    }
    if (typeof row.as_of !== 'string' || !AS_OF.test(row.as_of) || Number.isNaN(Date.parse(row.as_of))) {
      throw new UsageError(`${where}: "as_of" must be a date YYYY-MM-DD (got ${JSON.stringify(row.as_of)})`);
    }
    return { model: row.model as PricedModel, size: row.size, usd_per_second: row.usd_per_second, source: row.source, as_of: row.as_of };
  });
}

/** The built-in rows with the file's rows in place of the matching (model, size) ones. */
export function mergePrices(builtin: PriceRow[], overrides: PriceRow[], version: string): PriceTable {
  const key = (row: PriceRow) => `${row.model} ${row.size}`;
  const replaced = new Map(overrides.map((row) => [key(row), row]));
  const kept = builtin.filter((row) => !replaced.has(key(row)));
  return { version, rows: [...kept, ...replaced.values()] };
}

export function pricingFileVersion(content: string | Buffer): string {
  return `file:${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
}

/**
 * The price table in force: the built-in one, or with the rows of `pricingFile` (config
 * `pricing-file`, a path relative to `cwd`) in place of the matching ones.
 */
export function loadPricing(input: { pricingFile: string | undefined; cwd: string }): PriceTable & { file?: string } {
  if (!input.pricingFile) return BUILTIN_PRICES;
  const path = resolve(input.cwd, input.pricingFile);
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read pricing file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'fix the path with: octo config set pricing-file PATH',
      cause: error,
    });
  }
  const rows = parsePricingFile(content.toString('utf8'), path);
  return { ...mergePrices(BUILTIN_PRICES.rows, rows, pricingFileVersion(content)), file: path };
}
