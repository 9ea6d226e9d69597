import { defineCommand } from '../../cli/command.js';
import { positiveInt } from '../../cli/flag-parsers.js';
import { rows, shownOf } from '../../output/result.js';
import { STATUS_CHOICES } from '../../core/statuses.js';

export default defineCommand({
  options: [
    { flags: '--limit <n>', description: 'at most this many', default: 20, parse: positiveInt('--limit') },
    { flags: '--since <when>', description: 'made on or after: YYYY-MM-DD, a time, or relative (24h, 7d, 2w, 3m)' },
    { flags: '--until <when>', description: 'made on or before: a date includes that whole day' },
    { flags: '--search <text>', description: 'prompt contains this (case-insensitive)' },
    { flags: '--status <status>', description: 'only videos of generations in this status', choices: STATUS_CHOICES },
    { flags: '--tag <key=value>', description: 'only videos of generations with this tag (or this key, any value)' },
  ],
  examples: ['octo videos list --search boat', 'octo videos list --since 7d', 'octo videos list --since 2026-11-01 --until 2026-11-30 --json'],
  async run({ ctx, opts }) {
    const { videoList } = await import('../../videos/list.js');
    const { videos, total } = await videoList(ctx, opts);
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
