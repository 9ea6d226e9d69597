import type { SoraDeploymentUnavailableError } from '../sora/errors.js';
import type { PricedModel } from './pricing.js';

/**
 * The built-in lifecycle table, kept like the price table: one row per model version and service,
 * with where the date was read and when. Sora is being retired with no replacement, so octo must
 * be able to say, when a deployment stops answering, which version it probably ran and what the
 * schedule said about it. The status is worked out from the date on the day asked, never stored:
 * a row read in December says "retiring" in the spring and "retired" in the summer.
 */

export type LifecycleStatus = 'available' | 'retiring' | 'retired';

export interface LifecycleRow {
  /** octo's name for the model (the price table's): sora-1, sora-2, sora-2-pro. */
  model: PricedModel;
  /** The model's name at the service: `sora` is what Azure calls Sora 1. */
  service_model: string;
  /** The model version (YYYY-MM-DD), or null for a row about every version. */
  version: string | null;
  /** Whose schedule: azure (Azure OpenAI deployments) or openai (api.openai.com). */
  service: 'azure' | 'openai';
  /** When deployments stop answering (YYYY-MM-DD), or null when no date is published. */
  retires_on: string | null;
  replacement: string | null;
  note: string;
  source: string;
  as_of: string;
}

const AZURE_SCHEDULE = "Azure's model retirement schedule (learn.microsoft.com, Azure OpenAI model retirements)";
const OPENAI_PAGE = "OpenAI's model page (developers.openai.com, models/sora-2)";

export const BUILTIN_LIFECYCLE: readonly LifecycleRow[] = [
  {
    model: 'sora-1',
    service_model: 'sora',
    version: '2025-05-02',
    service: 'azure',
    retires_on: '2026-02-15',
    replacement: 'sora-2',
    note: 'preview; retired no earlier than 2026-02-15, not deployable since early 2026',
    source: AZURE_SCHEDULE,
    as_of: '2025-12-16',
  },
  {
    model: 'sora-2',
    service_model: 'sora-2',
    version: '2025-10-06',
    service: 'azure',
    retires_on: '2026-07-15',
    replacement: null,
    note: 'no replacement',
    source: AZURE_SCHEDULE,
    as_of: '2026-12-04',
  },
  {
    model: 'sora-2',
    service_model: 'sora-2',
    version: '2025-12-08',
    service: 'azure',
    retires_on: '2026-10-15',
    replacement: null,
    note: 'no replacement',
    source: `${AZURE_SCHEDULE}; promptfoo's Azure provider docs give the same date`,
    as_of: '2026-12-04',
  },
  {
    model: 'sora-2-pro',
    service_model: 'sora-2-pro',
    version: null,
    service: 'azure',
    retires_on: null,
    replacement: null,
    note: "not on Azure's schedule; Azure's docs said Sora 2 Pro was coming later",
    source: "Azure's video generation concepts page (learn.microsoft.com)",
    as_of: '2025-12-01',
  },
  {
    model: 'sora-2',
    service_model: 'sora-2',
    version: null,
    service: 'openai',
    retires_on: '2026-09-24',
    replacement: null,
    note: 'OpenAI shut its Videos API; no replacement',
    source: OPENAI_PAGE,
    as_of: '2026-12-04',
  },
  {
    model: 'sora-2-pro',
    service_model: 'sora-2-pro',
    version: null,
    service: 'openai',
    retires_on: '2026-09-24',
    replacement: null,
    note: 'OpenAI shut its Videos API; no replacement',
    source: OPENAI_PAGE,
    as_of: '2026-12-04',
  },
];

/** The day (UTC) `now` falls on, as YYYY-MM-DD: retirement dates are days. */
const dayOf = (now: Date) => now.toISOString().slice(0, 10);

/** retired on or after the day; retiring before it; available when no date is published. */
export function lifecycleStatus(row: Pick<LifecycleRow, 'retires_on'>, now: Date): LifecycleStatus {
  if (row.retires_on === null) return 'available';
  return dayOf(now) >= row.retires_on ? 'retired' : 'retiring';
}

/** A row with its status on `now`: what `octo models --json` prints. */
export type LifecycleView = LifecycleRow & { status: LifecycleStatus };

export function lifecycleView(now: Date, table: readonly LifecycleRow[] = BUILTIN_LIFECYCLE): LifecycleView[] {
  return table.map((row) => ({ ...row, status: lifecycleStatus(row, now) }));
}

/** The rows about a model on Azure (octo's profiles talk to Azure deployments). */
export function azureLifecycle(model: PricedModel, table: readonly LifecycleRow[] = BUILTIN_LIFECYCLE): LifecycleRow[] {
  return table.filter((row) => row.model === model && row.service === 'azure');
}

/**
 * One sentence on what the schedule says about a model's versions on Azure, on `now`:
 * "sora-2 2025-10-06 retired on 2026-07-15 and sora-2 2025-12-08 retired on 2026-10-15
 * (Azure's model retirement schedule, as of 2026-12-04)". Used where a deployment stopped
 * answering, or before anything is spent on one.
 */
export function describeLifecycle(model: PricedModel, now: Date, table: readonly LifecycleRow[] = BUILTIN_LIFECYCLE): string {
  const rows = azureLifecycle(model, table);
  if (rows.length === 0) return `no lifecycle row for ${model} on Azure (octo models)`;
  const parts = rows.map((row) => {
    const name = `${row.service_model}${row.version ? ` ${row.version}` : ''}`;
    const status = lifecycleStatus(row, now);
    if (status === 'available') return `${name}: ${row.note}`;
    return `${name} ${status === 'retired' ? 'retired' : 'retires'} on ${row.retires_on}`;
  });
  const asOf = rows
    .map((row) => row.as_of)
    .sort()
    .at(-1);
  return `${parts.join(' and ')} (Azure's schedule as of ${asOf}; octo models)`;
}

/** Whether every Azure version of the model is past its retirement date on `now`. */
export function allRetired(model: PricedModel, now: Date, table: readonly LifecycleRow[] = BUILTIN_LIFECYCLE): boolean {
  const rows = azureLifecycle(model, table);
  return rows.length > 0 && rows.every((row) => lifecycleStatus(row, now) === 'retired');
}

/**
 * What a refusal over the deployment means, for people: not an outage (the endpoint and key
 * answered) and not a bad request, what the schedule says of the profile's model, and that the
 * service created and billed nothing.
 */
export function explainUnavailable(
  error: Pick<SoraDeploymentUnavailableError, 'message' | 'reason'>,
  profile: { name: string; model: PricedModel },
  now: Date,
): { message: string; hint: string } {
  const meaning =
    error.reason === 'missing'
      ? 'not an outage: the endpoint and key answered; the name is mistyped, the deployment was deleted, or it was created in the last 5 minutes'
      : 'not an outage or a typo: the deployment exists but its model no longer serves';
  return {
    message: `${error.message}; ${meaning}. Model ${profile.model}: ${describeLifecycle(profile.model, now)}. Nothing was created or billed.`,
    hint:
      error.reason === 'missing'
        ? `check the deployment's name in the Azure portal, then: octo profile update ${profile.name} --deployment NAME`
        : 'Azure names no replacement; your history, costs and downloaded videos stay readable (octo jobs list, octo costs, octo videos list)',
  };
}
