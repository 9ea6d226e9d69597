import { randomUUID } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { generateBatch, readBatch } from './batch.js';
import type { GenerateRequest, Generated } from './request.js';
import { generateOne } from './single.js';
import type { RunnerContext } from './runner.js';

export type { GenerateRequest, GenerateSummary, Generated } from './request.js';

/** `octo generate`: one prompt, or a batch (a file, or lines given as data). */
export async function generate(ctx: RunnerContext, request: GenerateRequest): Promise<Generated> {
  const { prompt, file, lines } = request;
  if (file !== undefined && prompt !== undefined) throw new UsageError('give a PROMPT or --file, not both');
  if (lines !== undefined && (prompt !== undefined || file !== undefined)) throw new UsageError('give a prompt or lines, not both');
  if (request.resume && file === undefined) throw new UsageError('--resume continues a batch: pass the same --file as before');
  if (file !== undefined) return generateBatch(ctx, request, { ...(await readBatch(ctx, file)), name: file, resumable: true });
  // A fresh id makes the lines a batch of their own: the same lines sent twice are two batches.
  if (lines !== undefined) return generateBatch(ctx, request, { text: lines, path: '-', real: `lines:${randomUUID()}`, name: 'lines', resumable: false });
  if (prompt === undefined) throw new UsageError('missing PROMPT', { hint: 'octo generate "a prompt" (or --file FILE for a batch)' });
  return generateOne(ctx, request, prompt);
}
