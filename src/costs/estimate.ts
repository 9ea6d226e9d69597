import { UsageError } from '../core/errors.js';
import type { PriceTable, PricedModel } from './pricing.js';

export interface Estimate {
  model: PricedModel;
  unit_price: number;
  /** USD: price per second x seconds x variants. */
  usd: number;
  pricing_version: string;
}

/** cost = price per second x seconds x variants (variants multiply the billed seconds). Pure. */
export function estimateCost(table: PriceTable, request: { model: PricedModel; width: number; height: number; seconds: number; variants: number }): Estimate {
  const size = `${request.width}x${request.height}`;
  const row = table.rows.find((r) => r.model === request.model && r.size === size) ?? table.rows.find((r) => r.model === request.model && r.size === '*');
  if (!row) {
    throw new UsageError(`no price for ${request.model} at ${size} in pricing ${table.version}`, {
      hint: 'add a row to your pricing file (octo config set pricing-file PATH)',
    });
  }
  return {
    model: request.model,
    unit_price: row.usd_per_second,
    usd: row.usd_per_second * request.seconds * request.variants,
    pricing_version: table.version,
  };
}
