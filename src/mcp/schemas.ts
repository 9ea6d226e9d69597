import * as z from 'zod';

/** The pieces several tools share: what one generation asks for, and what one reports. */

export const profileArg = z
  .string()
  .min(1)
  .describe('profile name (default: the --profile octo mcp was started with, else config default-profile, else the active profile)');

/** One generation request: the fields of a line of a JSON Lines batch file. */
export const lineFields = {
  prompt: z.string().min(1).describe('what the video shows'),
  seconds: z.number().int().positive().optional().describe('duration (sora-2: 4, 8 or 12; sora-1: 1–20); default 4 (sora-2), 5 (sora-1)'),
  size: z.string().optional().describe('WxH, e.g. 1280x720 (sora-2 default 720x1280, sora-1 1280x720)'),
  variants: z.number().int().positive().optional().describe('sora-1 only: videos per job (1–4 by size)'),
  image: z.string().optional().describe("image-to-video: a .png, .jpg or .webp file on this machine (relative to octo mcp's folder)"),
  profile: profileArg.optional(),
  tags: z.record(z.string(), z.string()).optional().describe('labels, e.g. {"campaign": "q4"} (costs can group by them)'),
};

export const line = z.strictObject(lineFields);

/** One line as `generate --json` reports it (and `jobs wait --json`, `jobs cancel --json`). */
export const lineResult = z.looseObject({
  id: z.string().nullable().describe('the generation id (null for an estimate): give it to job_status, wait, cancel'),
  job_id: z.string().nullable().describe("the service's job id, once submitted"),
  status: z.string().describe('dry-run, queued, running, completed, failed, canceled, or error'),
  prompt: z.string(),
  model: z.string(),
  seconds: z.number(),
  size: z.string(),
  variants: z.number(),
  generation_mode: z.string(),
  estimated_cost: z.number().describe('USD, an estimate from the price table, not a bill'),
  files: z.array(z.string()).describe('downloaded videos and thumbnails on this machine'),
  profile: z.string().nullable(),
  failure_reason: z.string().nullable(),
  line: z.number().int().optional().describe('the line of the batch, 1-based'),
});

export const results = z.array(lineResult);
