import * as z from 'zod';
import { defineTool } from '../tool.js';

export default defineTool({
  name: 'list_videos',
  title: 'List videos',
  description:
    'Your generated videos, newest first, with their local file (or playable URL when octo uploads to storage). ' +
    'Free: reads the ledger only. Same rows as `octo videos list --json`, plus `total` (every match, capped).',
  input: z.strictObject({
    since: z.string().optional().describe('made on or after: YYYY-MM-DD, an ISO 8601 time, or relative (24h, 7d, 2w, 3m)'),
    until: z.string().optional().describe('made on or before, in the same forms: a date includes that whole day'),
    search: z.string().optional().describe('prompt contains this (case-insensitive)'),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'canceled', 'cancelled']).optional().describe('only videos of generations in this status'),
    tag: z.string().min(1).optional().describe('only videos of generations with this tag: key=value, or key for any value'),
    limit: z.number().int().positive().max(1000).default(20).describe('at most this many'),
  }),
  output: z.looseObject({
    videos: z.array(
      z.looseObject({
        id: z.string(),
        prompt: z.string(),
        width: z.number().nullable(),
        height: z.number().nullable(),
        duration: z.number().nullable().describe('seconds'),
        sora_version: z.string().nullable(),
        url: z.string().describe('the local file, or a playable URL once uploaded'),
        azure_video_id: z.string().nullable(),
        created_at: z.string(),
      }),
    ),
    total: z.number().int().describe('how many match (capped); more than videos.length when cut by limit'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ ctx }, args) {
    const { videoList } = await import('../../videos/list.js');
    return videoList(ctx, args);
  },
});
