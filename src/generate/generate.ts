import { UsageError } from '../core/errors.js';
import { generateBatch } from './batch.js';
import type { GenerateRequest, Generated } from './request.js';
import { generateOne } from './single.js';
import type { RunnerContext } from './runner.js';

export type { GenerateRequest, GenerateSummary, Generated } from './request.js';

/** `octo generate`: one prompt, or a batch file. */
export async function generate(ctx: RunnerContext, request: GenerateRequest): Promise<Generated> {
  const { prompt, file } = request;
  if (file !== undefined && prompt !== undefined) throw new UsageError('give a PROMPT or --file, not both');
  if (request.resume && file === undefined) throw new UsageError('--resume continues a batch: pass the same --file as before');
  if (file !== undefined) return generateBatch(ctx, request, file);
  if (prompt === undefined) throw new UsageError('missing PROMPT', { hint: 'octo generate "a prompt" (or --file FILE for a batch)' });
  return generateOne(ctx, request, prompt);
}
