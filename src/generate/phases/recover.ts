import { knownJobIds } from '../../db/tables/generation-state.js';
import type { GenerationRow } from '../../db/tables/generations.js';
import type { Job, SoraClient } from '../../sora/index.js';
import type { Runner } from '../runner.js';
import { MATCH_SLACK_MS, matchOrphan } from '../match.js';
import type { StoredRequest } from '../plan.js';

/**
 * Phase 1, recover: a row recorded as submitted but with no job id (its process died between the
 * create and recording the answer). The job is looked for in the service's list, newest first,
 * paging back until the jobs are older than the row's submission (less a slack), however many
 * newer jobs there are; only a job no other row owns can match. Nothing found: it was never made.
 */
export async function recoverOrphan(
  runner: Pick<Runner, 'db' | 'session' | 'signal' | 'onDebug'>,
  row: GenerationRow,
  req: StoredRequest,
  client: SoraClient,
): Promise<Job | undefined> {
  const submittedAt = new Date(row.submitted_at!);
  const [jobs, owned] = await Promise.all([listSince(client, submittedAt.getTime() - MATCH_SLACK_MS, runner.signal), knownJobIds(runner.db, runner.session)]);
  runner.onDebug?.(`recover ${row.id}: ${jobs.length} jobs listed back to ${submittedAt.toISOString()}`);
  return matchOrphan(req, submittedAt, jobs, new Set(owned));
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
