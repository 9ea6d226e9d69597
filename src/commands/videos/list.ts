import { defineCommand } from '../../cli/command.js';
import { parseDate, positiveInt } from '../../cli/flag-parsers.js';
import { rows, shownOf } from '../../output/result.js';

export default defineCommand({
  options: [
    { flags: '--limit <n>', description: 'at most this many', default: 20, parse: positiveInt('--limit') },
    { flags: '--since <date>', description: 'created on or after (local date or ISO time)', parse: parseDate('--since') },
    { flags: '--until <date>', description: 'created before (local date or ISO time)', parse: parseDate('--until') },
    { flags: '--search <text>', description: 'prompt contains this (case-insensitive)' },
  ],
  examples: ['octo videos list --search boat', 'octo videos list --since 2026-11-01 --json'],
  async run({ ctx, opts }) {
    const { videoList } = await import('../../videos/list.js');
    const session = await ctx.session();
    const { videos, total } = await videoList(await ctx.db(), session, opts);
    return rows(
      videos,
      [
        { key: 'id', header: 'id', id: true },
        { key: 'prompt', header: 'prompt', flex: true },
        { key: 'width', header: 'size', format: (_v, r) => `${r.width}x${r.height}` },
        { key: 'duration', header: 'seconds', align: 'right' },
        { key: 'sora_version', header: 'model' },
        { key: 'created_at', header: 'created' },
        { key: 'url', header: 'file', optional: true },
      ],
      { empty: 'No videos yet. Make one with: octo generate "a prompt"', json: videos, notes: shownOf(videos.length, total) },
    );
  },
});
