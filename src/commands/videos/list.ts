import { defineCommand } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { positiveInt } from '../../cli/flag-parsers.js';
import { rows, shownOf } from '../../output/result.js';

export function parseDate(flag: string) {
  return (value: string): Date => {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
    if (Number.isNaN(d.getTime())) throw new UsageError(`${flag} must be a date like 2026-11-01 (or an ISO 8601 time), got ${JSON.stringify(value)}`);
    return d;
  };
}

export const VIDEO_JSON_KEYS = ['id', 'prompt', 'width', 'height', 'duration', 'sora_version', 'url', 'azure_video_id', 'created_at'] as const;

export default defineCommand({
  options: [
    { flags: '--limit <n>', description: 'at most this many', default: 20, parse: positiveInt('--limit') },
    { flags: '--since <date>', description: 'created on or after (local date or ISO time)', parse: parseDate('--since') },
    { flags: '--until <date>', description: 'created before (local date or ISO time)', parse: parseDate('--until') },
    { flags: '--search <text>', description: 'prompt contains this (case-insensitive)' },
  ],
  examples: ['octo videos list --search boat', 'octo videos list --since 2026-11-01 --json'],
  async run({ ctx, opts }) {
    const { listVideos } = await import('../../db/tables/videos.js');
    const session = await ctx.session();
    const { videos, total } = await listVideos(await ctx.db(), session, opts);
    const json = videos.map((v) => Object.fromEntries(VIDEO_JSON_KEYS.map((k) => [k, v[k]])) as Pick<typeof v, (typeof VIDEO_JSON_KEYS)[number]>);
    return rows(
      json,
      [
        { key: 'id', header: 'id', id: true },
        { key: 'prompt', header: 'prompt', flex: true },
        { key: 'width', header: 'size', format: (_v, r) => `${r.width}x${r.height}` },
        { key: 'duration', header: 'seconds', align: 'right' },
        { key: 'sora_version', header: 'model' },
        { key: 'created_at', header: 'created' },
        { key: 'url', header: 'file', optional: true },
      ],
      { empty: 'No videos yet. Make one with: octo generate "a prompt"', json, notes: shownOf(videos.length, total) },
    );
  },
});
