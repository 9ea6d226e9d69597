import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { FailureError, GenerationFailedError, InterruptedError } from '../../core/errors.js';
import { shellArg } from '../../core/text.js';
import { explainUnavailable } from '../../costs/lifecycle.js';
import { finishGeneration, markSubmitted, refuseUnbilled, unmarkSubmitted } from '../../db/tables/generation-state.js';
import type { GenerationRow } from '../../db/tables/generations.js';
import type { ProfileWithKey } from '../../sora/profile.js';
import {
  SoraDeploymentUnavailableError,
  SoraNetworkError,
  SoraRateLimitError,
  SoraValidationError,
  humanMs,
  type Job,
  type SoraClient,
} from '../../sora/index.js';
import type { QuotaWait } from '../pacer.js';
import type { Runner } from '../runner.js';
import { imageContentType, type StoredRequest } from '../plan.js';
import { short } from '../results.js';

/** What the submit phase uses of the run. */
type Phase = Pick<Runner, 'db' | 'session' | 'signal' | 'view' | 'label' | 'now' | 'sleep' | 'leases' | 'pacer' | 'quotaWaiting' | 'unavailable'>;

const MAX_CREATE_ATTEMPTS = 8;
/** Creates that never left this machine (refused, no DNS) are tried this often, 1 s then 2 s apart. */
const CONNECT_ATTEMPTS = 3;

export type SubmitOutcome =
  | { job: Job }
  /** The service refused the request (recorded failed; nothing created, nothing billed; `unbilled`: its estimate set to 0). */
  | { refused: string; unbilled?: true }
  /** Not ours to submit any more: canceled, or taken by another process, before the create. */
  | { skipped: true };

/**
 * The resource's create turn, shown while it is coming: on a terminal the line counts down to
 * the next create every second; piped, one event line when the wait starts.
 */
async function waitForTurn(runner: Phase, row: GenerationRow, profile: ProfileWithKey): Promise<void> {
  const label = runner.label(row);
  let until = 0;
  let told = false;
  const show = () => {
    const s = Math.max(1, Math.ceil((until - runner.now()) / 1000));
    runner.view.update(row.id, `${label}  waiting for quota, next create in ${s} s  ${short(row.prompt)}`);
  };
  const ticker = setInterval(() => until && show(), 1000);
  ticker.unref();
  try {
    await runner.pacer.turn(
      profile,
      runner.signal,
      (wait: QuotaWait) => {
        // Counted apart from the running lines in the batch's totals.
        runner.quotaWaiting.add(row.id);
        if ('after' in wait) {
          // No time is known behind an earlier line: say whose turn comes first, not a guess.
          until = 0;
          const first = wait.after > 0 ? `line ${wait.after}` : 'an earlier job';
          runner.view.update(row.id, `${label}  waiting for quota, after ${first}  ${short(row.prompt)}`);
          return;
        }
        if (!told) runner.view.event(`${label}: waiting for quota (${profile.name}), next create in ${Math.ceil(wait.ms / 1000)} s`);
        told = true;
        until = runner.now() + wait.ms;
        show();
      },
      row.batch_line ?? 0,
    );
  } finally {
    clearInterval(ticker);
    runner.quotaWaiting.delete(row.id);
  }
}

/** Refused over the deployment itself: failed and unbilled (never in flight), said with what the schedule says of the model. */
async function refuseOverDeployment(runner: Phase, row: GenerationRow, profile: ProfileWithKey, error: SoraDeploymentUnavailableError): Promise<SubmitOutcome> {
  const { message } = explainUnavailable(error, profile, new Date(runner.now()));
  const reason = `${error.reason === 'missing' ? 'deployment_not_found' : 'model_retired'}: ${message}`;
  await refuseUnbilled(runner.db, runner.session, row.id, reason);
  runner.view.event(`${runner.label(row)}: failed (${reason})`);
  return { refused: reason, unbilled: true };
}

/**
 * Phase 2, submit: waits for the resource's create turn, records `submitted_at` (only while this
 * process's lease is live and the row still queued: a cancel wins here), then creates the job.
 */
export async function submitRow(runner: Phase, row: GenerationRow, req: StoredRequest, profile: ProfileWithKey, client: SoraClient): Promise<SubmitOutcome> {
  const image = req.image
    ? { data: new Uint8Array(await readFile(req.image)), filename: basename(req.image), contentType: imageContentType(req.image) }
    : undefined;
  // The service already refused this profile's deployment in this run: no request, no quota wait.
  const known = runner.unavailable.get(profile.name);
  if (known) return refuseOverDeployment(runner, row, profile, known);
  let unsent = 0;
  for (let attempt = 1; ; attempt++) {
    // A create that never reached the service used no quota: its retry takes no new turn.
    if (unsent === 0) await waitForTurn(runner, row, profile);
    if (runner.signal.aborted) throw new InterruptedError();
    if (!(await markSubmitted(runner.db, runner.session, row.id, runner.leases.owner))) return { skipped: true };
    const sentAt = runner.now();
    const label = runner.label(row);
    // Said while the answer is awaited (a hung endpoint shows what it is waiting for, and how long).
    const ticker = setInterval(() => {
      const s = Math.round((runner.now() - sentAt) / 1000);
      runner.view.update(row.id, `${label}  create sent ${s} s ago, waiting for the service's answer  ${short(row.prompt)}`);
    }, 1000);
    ticker.unref();
    try {
      // Ctrl-C stops the request at once: the line stays "submitted, no job id", and whoever
      // continues it looks for the job in the service's list (until its create deadline) before
      // creating it again, so a create cut off mid-flight is never made twice nor lost.
      const job = req.remix
        ? await client.remix(req.remix, req.prompt, { signal: runner.signal })
        : await client.create({ prompt: req.prompt, size: req.size, seconds: req.seconds, variants: req.variants, image }, { signal: runner.signal });
      return { job };
    } catch (error) {
      if (runner.signal.aborted) {
        throw new InterruptedError(
          `${label}: interrupted ${Math.round((runner.now() - sentAt) / 1000)} s after its create was sent; it may have reached the service`,
          { hint: `octo looks for it in the service's list before creating it again: octo jobs wait ${row.id.slice(0, 8)} (or --resume)` },
        );
      }
      if (error instanceof SoraNetworkError && error.sent && !(error instanceof SoraRateLimitError)) {
        const waited = Math.round((runner.now() - sentAt) / 1000);
        throw new FailureError(
          `${label}: the create got no answer (${error.message}) after ${waited} s; it may have reached the service, and nothing more is sent for this line now`,
          {
            hint:
              `octo jobs wait ${row.id.slice(0, 8)} (or --resume) looks for the job in the service's list and creates it again only once the create's deadline has passed and it is not there; ` +
              `octo jobs cancel ${row.id.slice(0, 8)} ends the line (a job found later is still recorded and costed)`,
            cause: error,
          },
        );
      }
      if (error instanceof SoraRateLimitError && attempt < MAX_CREATE_ATTEMPTS) {
        const wait = error.retryAfterMs ?? 2000 * 2 ** attempt;
        // The capped wait is what every process on the resource is asked to pause, never the ask.
        await runner.pacer.rateLimited(profile, wait);
        const capped = error.askedRetryAfterMs !== null ? ` (it asked for ${humanMs(error.askedRetryAfterMs)}; capped at ${humanMs(wait)})` : '';
        runner.view.event(`rate limited by the service: every worker pauses ${Math.ceil(wait / 1000)} s${capped}`);
        continue;
      }
      if (error instanceof SoraNetworkError && !error.sent) {
        unsent += 1;
        if (unsent < CONNECT_ATTEMPTS) {
          const wait = 1000 * 2 ** (unsent - 1);
          runner.view.event(
            `${runner.label(row)}: could not reach the service (${error.message}); retry ${unsent} of ${CONNECT_ATTEMPTS - 1} in ${wait / 1000} s`,
          );
          await runner.sleep(wait, runner.signal);
          continue;
        }
        // Provably never sent: nothing was created or billed, and the line is not submitted.
        await unmarkSubmitted(runner.db, runner.session, row.id, runner.leases.owner);
        throw new FailureError(`the create never reached the service (${error.message}, ${unsent} attempts); nothing was created or billed`, {
          hint: `check the profile (octo profile test ${shellArg(profile.name)}); then retry: octo jobs wait ${row.id.slice(0, 8)}, or end it: octo jobs cancel ${row.id.slice(0, 8)}`,
          cause: error,
        });
      }
      if (error instanceof SoraDeploymentUnavailableError) {
        runner.unavailable.set(profile.name, error);
        return refuseOverDeployment(runner, row, profile, error);
      }
      if (error instanceof SoraValidationError || error instanceof GenerationFailedError) {
        const reason = `${(error as { apiCode?: string }).apiCode ?? (error instanceof GenerationFailedError ? 'content_filter' : 'invalid_request')}: ${error.message}`;
        await finishGeneration(runner.db, runner.session, row.id, 'failed', reason);
        runner.view.event(`${runner.label(row)}: failed (${reason})`);
        return { refused: reason };
      }
      throw error;
    } finally {
      clearInterval(ticker);
    }
  }
}
