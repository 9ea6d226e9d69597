import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defineCommand } from '../../cli/command.js';
import { positiveInt } from '../../cli/flag-parsers.js';
import type { Context } from '../../context/context.js';
import { makeDirs } from '../../core/dirs.js';
import { FailureError, UsageError } from '../../core/errors.js';
import { formatUsd } from '../../core/money.js';
import type { GalleryCard } from '../../output/gallery/model.js';
import { message, text } from '../../output/result.js';
import type { GalleryRow } from '../../videos/gallery.js';
import { STATUS_CHOICES } from '../../core/statuses.js';

export default defineCommand({
  description:
    'Writes one self-contained HTML page (no request to anything but its own videos) with a card per\n' +
    'generation: the video, prompt, model, size, seconds, tags, status, estimate and id; failed and\n' +
    'cancelled lines with their reason. A header totals them and a filter box narrows them.\n' +
    'A batch (--file or --batch) shows its lines in file order; otherwise the newest generations.\n' +
    'Videos play from their downloaded files (relative links when the page sits above them, so the\n' +
    'folder can be zipped and shared), else from their storage URL. --upload puts the page and every\n' +
    'video of it not yet there into the storage-url container and prints one read-only link.',
  options: [
    { flags: '--file <file>', description: 'the lines of this batch file (generate --file), in its order', complete: 'files' },
    { flags: '--batch <id>', description: 'the lines of this batch id (generate --file prints it)' },
    { flags: '--since <when>', description: 'made on or after: YYYY-MM-DD, a time, or relative (24h, 7d, 2w, 3m)' },
    { flags: '--until <when>', description: 'made on or before: a date includes that whole day' },
    { flags: '--search <text>', description: 'prompt contains this (case-insensitive)' },
    { flags: '--status <status>', description: 'only this status', choices: STATUS_CHOICES },
    { flags: '--tag <key=value>', description: 'only generations with this tag (or this key, any value)' },
    { flags: '--limit <n>', description: 'at most this many (newest first)', default: 200, parse: positiveInt('--limit') },
    { flags: '--out <file>', description: 'where to write the page (- for stdout)', default: 'octo-gallery.html', complete: 'files' },
    { flags: '--open', description: "open the page with the system's browser (with --upload: its link)" },
    { flags: '--upload', description: 'also put the page and its videos in storage (storage-url); print a read-only link' },
  ],
  examples: [
    'octo videos gallery --file prompts.txt --open',
    'octo videos gallery --since 2026-11-01 --status failed --out review/failed.html',
    'octo videos gallery --tag campaign=q4 --json > rows.json',
    'octo videos gallery --file prompts.txt --upload   # a link a teammate opens without credentials',
  ],
  async run({ ctx, opts }) {
    const toStdout = opts.out === '-';
    if (toStdout && ctx.globals.json) throw new UsageError('--json prints the rows on stdout: write the page to a file with --out FILE');
    if (toStdout && opts.open) throw new UsageError('--open opens a page file: pass --out FILE');
    if (toStdout && opts.upload) throw new UsageError('--upload prints the link on stdout: write the local page with --out FILE');
    const file = toStdout ? null : resolve(ctx.cwd, opts.out);
    if (file !== null) await checkPageTarget(file, opts.out);
    const [feature, { renderGalleryPage }, { systemTimeZone }] = await Promise.all([
      import('../../videos/gallery.js'),
      import('../../output/gallery/page.js'),
      import('../../costs/period.js'),
    ]);
    // Storage is checked before anything is read or written: --upload without it is a usage error.
    if (opts.upload) (await import('../../videos/storage.js')).requireStorage(ctx);
    // Days follow the zone videos list and costs use, so the three agree on what "2026-11-01" is;
    // asked only when there is a day to read (Intl's zone lookup starts ICU: 10-30 ms).
    const timeZone = opts.since !== undefined || opts.until !== undefined ? systemTimeZone(ctx.processEnv) : 'UTC';
    const data = await feature.galleryData(ctx, { ...opts, timeZone });
    const totals = feature.galleryTotals(data.rows);
    const note =
      data.total > data.rows.length ? `showing ${data.rows.length} of ${data.total > 10_000 ? 'more than 10000' : data.total} (--limit N for more)` : undefined;
    const html = renderGalleryPage({
      title: data.title,
      note,
      generatedAt: ctx.now(),
      cards: cardsOf(feature, data.rows, file === null ? null : dirname(file)),
      totals,
    });
    if (file === null) return text(html);
    await writePage(file, html);
    const counts = totals.byStatus.map((s) => `${s.count} ${s.status}`).join(', ');
    ctx.log.info(`${data.rows.length} card${data.rows.length === 1 ? '' : 's'}${counts ? ` (${counts})` : ''}, ${formatUsd(totals.completed.cost)} estimated`);
    if (note) ctx.log.info(note);
    if (!opts.upload) {
      if (opts.open) await open(ctx, file, `the page is written (${file})`);
      return message(file, data.rows);
    }
    // The shared page: the same cards, playing from storage (fresh read-only links), never a local path.
    const { shareGallery } = await import('../../videos/gallery-upload.js');
    const shared = await shareGallery(ctx, data.rows);
    const link = await shared.publish(
      renderGalleryPage({ title: data.title, note, generatedAt: ctx.now(), cards: cardsOf(feature, shared.rows, null), totals }),
    );
    ctx.log.info(
      `${shared.uploaded} video${shared.uploaded === 1 ? '' : 's'} uploaded${shared.failed.length ? `, ${shared.failed.length} could not be (the page says so)` : ''}; ` +
        (link.expires_at
          ? `the link below reads the page until ${link.expires_at.toISOString()}:`
          : 'the container is public-read: the link below does not expire:'),
    );
    if (opts.open) await open(ctx, link.url, 'the page is uploaded');
    return {
      output: message(link.url, { url: link.url, expires_at: link.expires_at, path: file, uploaded: shared.uploaded, failed: shared.failed, rows: data.rows }),
      exit: shared.failed.length ? 'failure' : undefined,
    };
  },
});

/** The page's cards from the feature's rows, each video's source decided for a page in `pageDir`. */
function cardsOf(
  feature: Pick<typeof import('../../videos/gallery.js'), 'playableSources' | 'shownStatus'>,
  rows: readonly GalleryRow[],
  pageDir: string | null,
): GalleryCard[] {
  return rows.map((r) => ({
    id: r.id,
    status: feature.shownStatus(r.status),
    prompt: r.prompt,
    model: r.sora_model,
    size: r.width && r.height ? `${r.width}x${r.height}` : '',
    seconds: r.duration,
    variants: r.variants,
    tags: r.tags,
    estimatedCost: r.estimated_cost,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    batchLine: r.batch_line,
    media: r.videos.map((v) => ({ videoId: v.id, ...feature.playableSources(v, pageDir) })),
  }));
}

async function open(ctx: Pick<Context, 'processEnv'>, target: string, done: string): Promise<void> {
  const { openWithSystem } = await import('../../videos/open.js');
  await openWithSystem(target, { env: ctx.processEnv, platform: process.platform }).catch((error: unknown) => {
    throw new FailureError(`${done}, but ${(error as Error).message}`, { hint: 'open it in a browser' });
  });
}

/**
 * Where the page may go, checked before anything is read: a new path or a regular file (a folder,
 * a device such as /dev/null or a FIFO would be replaced by the rename), its missing folders
 * made one level at a time (a recursive mkdir under /proc never returns on Node 20).
 */
async function checkPageTarget(file: string, given: string): Promise<void> {
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw new UsageError(`cannot write the page to ${given} (${error.code ?? error.message})`, { hint: 'pass --out FILE in a folder you can write' });
  });
  if (found?.isDirectory()) throw new UsageError(`--out ${given} is a folder`, { hint: `pass a file name, e.g. --out ${join(given, 'octo-gallery.html')}` });
  if (found && !found.isFile()) throw new UsageError(`--out ${given} is not a regular file`, { hint: 'pass --out FILE (or - for stdout)' });
  try {
    await makeDirs(dirname(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot write the page to ${given} (${code})`, { hint: 'pass --out FILE in a folder you can write' });
  }
}

/** Written beside its final name and renamed, so a browser never opens half a page; no part file is left behind. */
async function writePage(file: string, html: string): Promise<void> {
  const part = `${file}.part-${process.pid}`;
  try {
    await writeFile(part, html, { flag: 'wx' });
    await rename(part, file);
  } catch (error) {
    await unlink(part).catch(() => undefined);
    throw error;
  }
}
