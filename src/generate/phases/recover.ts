import { statSync } from 'node:fs';
import { knownJobIds } from '../../db/tables/generation-state.js';
import type { ClaimedRow } from '../../db/tables/generation-state.js';
import { createHardCapMs, type Job, type SoraClient } from '../../sora/index.js';
import type { Runner } from '../runner.js';
import { MATCH_SLACK_MS, matchOrphan } from '../match.js';
import type { StoredRequest } from '../plan.js';

/**
 * Past the client's own hard cap on a create, this much more before a line may be created again:
 * the time between recording `submitted_at` and the request leaving, and a service's list that
 * shows a new job a moment late.
 */
export const CREATE_MARGIN_MS = 5_000;

/**
 * How long after `submitted_at` a create of this line may still reach the service: the client's
 * hard cap on a create (its request deadline, plus the allowance for an image's bytes) and a
 * margin. Whether the process that sent it is alive has nothing to do with it: a request that
 * left a killed process (held by a proxy, a slow link) can still arrive until then.
 */
export function createDeadlineMs(client: Pick<SoraClient, 'limits'>, req: Pick<StoredRequest, 'image'>): number {
  let bytes = 0;
  try {
    if (req.image) bytes = statSync(req.image).size;
  } catch {
    // The image is gone: the line cannot be created again anyway; the cap without it.
  }
  return createHardCapMs(client.limits, bytes) + CREATE_MARGIN_MS;
}

type Phase = Pick<Runner, 'db' | 'session' | 'signal' | 'onDebug' | 'view' | 'label' | 'now' | 'sleep'>;

/**
 * Phase 1, recover: a row recorded as submitted but with no job id (its process died, or its
 * create got no answer). The job is looked for in the service's list, newest first, paging back
 * until the jobs are older than the row's submission (less a slack), however many newer jobs
 * there are; only a job no other row owns can match. Not found while the create deadline has not
 * passed: looked for again once it has (the lease is held meanwhile, so no other process creates
 * it either). Not found after it: it was never made, and the line may be created again.
 */
export async function recoverOrphan(runner: Phase, row: ClaimedRow, req: StoredRequest, client: SoraClient): Promise<Job | undefined> {
  const submittedAt = new Date(row.submitted_at!);
  const deadline = createDeadlineMs(client, req);
  const claimedAt = runner.now();
  // The age is the database's (every machine's submitted_at is on its clock), carried forward on ours.
  const age = () => (row.submitted_age_ms ?? Number.POSITIVE_INFINITY) + (runner.now() - claimedAt);
  let announced = false;
  for (;;) {
    const pastDeadline = age() >= deadline;
    const [jobs, owned] = await Promise.all([listSince(client, submittedAt.getTime() - MATCH_SLACK_MS, runner.signal), knownJobIds(runner.db, runner.session)]);
    runner.onDebug?.(`recover ${row.id}: ${jobs.length} jobs listed back to ${submittedAt.toISOString()}`);
    const found = matchOrphan(req, submittedAt, jobs, new Set(owned));
    if (found || pastDeadline) return found;
    const left = deadline - age();
    if (!announced) {
      announced = true;
      runner.view.event(
        `${runner.label(row)}: its create was sent ${Math.round(age() / 1000)} s ago with no answer recorded and is not in the service's list yet; ` +
          `it may still reach the service, so octo looks again in ${Math.ceil(left / 1000)} s before creating it again`,
      );
    }
    runner.view.update(row.id, `${runner.label(row)}  waiting to see whether its create reached the service (${Math.ceil(left / 1000)} s)`);
    await runner.sleep(Math.max(50, Math.min(left, 2000)), runner.signal);
  }
}

/** The service's jobs created since `sinceMs` (and the page that crosses it), newest first. */
export async function listSince(client: SoraClient, sinceMs: number, signal: AbortSignal): Promise<Job[]> {
  const all: Job[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await client.list({ limit: 100, after, order: 'desc', signal });
    all.push(...page.jobs);
    const oldest = page.jobs.at(-1);
    const oldestAt = oldest?.createdAt ? Date.parse(oldest.createdAt) : Number.NaN;
    if (!page.hasMore || !page.lastId || seen.has(page.lastId)) break;
    if (Number.isFinite(oldestAt) && oldestAt < sinceMs) break;
    seen.add(page.lastId);
    after = page.lastId;
  }
  return all;
}
