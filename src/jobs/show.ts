import { noneWithId } from '../db/tables/ids.js';
import type { Context } from '../context/context.js';
import { generationWithProfile, type GenerationRow } from '../db/tables/generations.js';

/** One generation as `jobs show --json` and the MCP tool `job_status` report it (never its profile or stored request). */
export type JobDetails = Omit<GenerationRow, 'request'>;

/** By generation id, a unique prefix of it (4+ characters) or the service's job id; NotFoundError when none is the user's (UsageError for a fragment too short to be a prefix). */
export async function jobDetails(ctx: Pick<Context, 'db' | 'session'>, id: string): Promise<JobDetails> {
  const session = await ctx.session();
  const db = await ctx.db();
  const row = await generationWithProfile(db, session, id);
  if (!row) throw noneWithId('job', id);
  const { profile: _profile, request: _request, ...job } = row;
  return job;
}
