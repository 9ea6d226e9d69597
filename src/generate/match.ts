import type { Job } from '../sora/index.js';
import type { StoredRequest } from './plan.js';

/**
 * A line recorded as submitted but with no job id: the process died between the create request
 * and recording its answer. The Sora APIs take no idempotency key, so look for the job in the
 * service's own list: same prompt, size and seconds, created no earlier than the submission
 * (less a slack for clock skew and whole-second timestamps), and not claimed by another row.
 * The one created closest to the submission wins.
 */
export const MATCH_SLACK_MS = 10_000;

export function matchOrphan(
  request: Pick<StoredRequest, 'prompt' | 'size' | 'seconds' | 'remix'>,
  submittedAt: Date,
  jobs: Job[],
  claimed: Set<string>,
  slackMs = MATCH_SLACK_MS,
): Job | undefined {
  const [w, h] = request.size.split('x').map(Number);
  const from = submittedAt.getTime() - slackMs;
  const candidates = jobs.filter((j) => {
    if (claimed.has(j.id)) return false;
    if ((j.prompt ?? '') !== request.prompt) return false;
    if (j.width !== null && j.height !== null && (j.width !== w || j.height !== h)) return false;
    if (!request.remix && j.seconds !== null && j.seconds !== request.seconds) return false;
    if (request.remix && j.remixedFrom !== null && j.remixedFrom !== request.remix) return false;
    const created = j.createdAt ? Date.parse(j.createdAt) : Number.NaN;
    return Number.isFinite(created) && created >= from;
  });
  const t = submittedAt.getTime();
  candidates.sort((a, b) => Math.abs(Date.parse(a.createdAt!) - t) - Math.abs(Date.parse(b.createdAt!) - t));
  return candidates[0];
}
