import { readFileSync, realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotFoundError, UsageError } from '../core/errors.js';
import { shellArg } from '../core/text.js';
import type { Context } from '../context/context.js';
import { resolveInstants } from '../costs/period.js';
import { type GalleryGenerationRow, type GallerySelection, galleryGenerations } from '../db/tables/gallery.js';
import { batchIdFor, decodeBatchFile, parseBatchFile } from '../generate/batch-file.js';
import { ourFiles } from '../storage/local-files.js';
import { statusSpellings, tagFilter } from './list.js';

/**
 * `octo videos gallery`'s data: the generations a page shows (a batch's lines in file order, or
 * the newest with `videos list`'s filters), each with the local file of every video it made when
 * octo downloaded it (`path`), the totals, and where each video plays from. The command turns
 * them into the page's cards, which src/output/gallery renders.
 */

export interface GalleryFilter {
  /** A batch file `generate --file` ran: its lines, in the file's order. */
  file?: string;
  /** A batch id (`generate --file` prints it): every line it recorded. */
  batch?: string;
  limit: number;
  /** The --since/--until grammar of src/costs/period.ts (days of `timeZone`; `--until` inclusive). */
  since?: string;
  until?: string;
  timeZone: string;
  search?: string;
  status?: string;
  /** `key=value`, or `key` for any value. */
  tag?: string;
}

export interface GalleryVideo {
  id: string;
  url: string;
  thumbnail_url: string | null;
  azure_video_id: string | null;
  /** The downloaded file, when it is on this machine in a folder octo downloaded to; else null. */
  path: string | null;
  thumbnail_path: string | null;
}

/** A page's row (and `--json`'s): a generation with the videos it made. */
export interface GalleryRow {
  id: string;
  status: string;
  prompt: string;
  sora_model: string;
  /** The API family the first video was made with (`videos list`'s column). */
  sora_version: string | null;
  width: number | null;
  height: number | null;
  duration: number;
  variants: number;
  tags: Record<string, string>;
  estimated_cost: number;
  failure_reason: string | null;
  profile_name: string | null;
  job_id: string | null;
  batch_id: string | null;
  batch_line: number | null;
  created_at: Date;
  /** The first video's recorded URL (a local path or a storage URL), as `videos list` shows it. */
  url: string | null;
  azure_video_id: string | null;
  /** The first video's local file (see GalleryVideo.path). */
  path: string | null;
  videos: GalleryVideo[];
}

export interface GalleryData {
  rows: GalleryRow[];
  /** How many generations matched (more than rows when --limit cut the list). */
  total: number;
  /** What the page shows, for its title. */
  title: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function galleryData(ctx: Pick<Context, 'cwd' | 'db' | 'session' | 'now'>, f: GalleryFilter): Promise<GalleryData> {
  const [selection, title] = selectionOf(ctx.cwd, f, ctx.now());
  const session = await ctx.session();
  const { generations, total } = await galleryGenerations(await ctx.db(), session, selection);
  if ('batchId' in selection && generations.length === 0) {
    throw new NotFoundError(f.file ? `no line of ${f.file} was run yet` : `no batch ${f.batch}`, {
      hint: f.file ? `run it with: octo generate --file ${shellArg(f.file)}` : 'see: octo jobs list',
    });
  }
  // Paths come from a possibly shared database: a page points only at files octo downloaded
  // (octo's names, in a folder carrying its marker), never at anything else on the machine.
  const recorded = generations
    .flatMap((g) => g.videos.flatMap((v) => [v.url, v.thumbnail_url]))
    .filter((p): p is string => Boolean(p) && !/^[a-z][a-z0-9+.-]*:/i.test(p!));
  const ours = ourFiles(recorded);
  const local = (path: string | null) => (path && ours.has(path) ? path : null);
  return { rows: generations.map((g) => rowOf(g, local)), total, title };
}

function selectionOf(cwd: string, f: GalleryFilter, now: Date): [GallerySelection, string] {
  const picked = [f.file !== undefined, f.batch !== undefined].filter(Boolean).length;
  if (picked > 1) throw new UsageError('give --file or --batch, not both');
  const listFlags = [f.since, f.until, f.search, f.status, f.tag].some((v) => v !== undefined);
  if (picked && listFlags) throw new UsageError('--since, --until, --search, --status and --tag filter the newest generations; a batch is shown whole');
  if (f.batch !== undefined) {
    if (!UUID.test(f.batch)) throw new UsageError(`--batch takes the batch id generate --file printed (a UUID), got ${JSON.stringify(f.batch)}`);
    return [{ batchId: f.batch.toLowerCase() }, `Batch ${f.batch.slice(0, 8)}`];
  }
  if (f.file !== undefined) {
    const path = resolve(cwd, f.file);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new UsageError(`cannot read ${f.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const text = decodeBatchFile(bytes, f.file);
    // The batch is the file by its real path, as generate --file names it.
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // keep the name
    }
    const batchId = batchIdFor(real, text);
    const keys = parseBatchFile(text, f.file).map((l) => `${batchId}:${l.key}`);
    return [{ batchId, keys }, `Batch ${f.file}`];
  }
  const tag = f.tag === undefined ? undefined : tagFilter(f.tag);
  const { from, to } = resolveInstants({ since: f.since, until: f.until, timeZone: f.timeZone, now });
  const selection = { limit: f.limit, since: from, until: to, search: f.search, statuses: f.status ? statusSpellings(f.status) : undefined, tag };
  return [selection, 'Newest generations'];
}

function rowOf(g: GalleryGenerationRow, local: (path: string | null) => string | null): GalleryRow {
  const [w, h] = g.resolution.split('x').map(Number);
  const videos = g.videos.map((v) => ({
    id: v.id,
    url: v.url,
    thumbnail_url: v.thumbnail_url,
    azure_video_id: v.azure_video_id,
    path: local(v.url),
    thumbnail_path: local(v.thumbnail_url),
  }));
  const first = g.videos[0];
  return {
    id: g.id,
    status: g.status,
    prompt: g.prompt,
    sora_model: g.sora_model,
    sora_version: first?.sora_version ?? null,
    width: first?.width ?? (Number.isInteger(w) ? w! : null),
    height: first?.height ?? (Number.isInteger(h) ? h! : null),
    duration: g.duration,
    variants: g.variants,
    tags: g.tags && typeof g.tags === 'object' && !Array.isArray(g.tags) ? g.tags : {},
    estimated_cost: g.estimated_cost,
    failure_reason: g.failure_reason,
    profile_name: g.profile_name,
    job_id: g.job_id,
    batch_id: g.batch_id,
    batch_line: g.batch_line,
    created_at: g.created_at,
    url: first?.url ?? null,
    azure_video_id: first?.azure_video_id ?? null,
    path: videos[0]?.path ?? null,
    videos,
  };
}

/** A status as the page shows, counts and filters it: the web app's spellings folded into octo's. */
export function shownStatus(status: string): string {
  if (status === 'succeeded') return 'completed';
  if (status === 'canceled') return 'cancelled';
  return status;
}

type Tally = { count: number; cost: number; seconds: number };

/**
 * The counts, estimates and seconds the page's header shows: the completed generations' estimate
 * as `octo costs` adds it, failed and cancelled ones apart, queued and running ones apart again.
 */
export function galleryTotals(rows: readonly GalleryRow[]) {
  const tally = (): Tally => ({ count: 0, cost: 0, seconds: 0 });
  const totals = { byStatus: [] as { status: string; count: number }[], completed: tally(), failed: tally(), inFlight: tally() };
  const byStatus = new Map<string, number>();
  for (const r of rows) {
    const status = shownStatus(r.status);
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const t = status === 'completed' ? totals.completed : status === 'failed' || status === 'cancelled' ? totals.failed : totals.inFlight;
    t.count += 1;
    t.cost += r.estimated_cost;
    t.seconds += r.duration * (r.variants || 1);
  }
  for (const t of [totals.completed, totals.failed, totals.inFlight]) t.cost = Math.round(t.cost * 10_000) / 10_000;
  const order = ['completed', 'failed', 'cancelled', 'running', 'queued'];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  totals.byStatus = [...byStatus]
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
  return totals;
}

/**
 * Where a video of a page in `pageDir` plays from (and its poster): its local file (a relative
 * reference when it sits below the page's folder, so the folder can be zipped and shared; else a
 * file: URL; a page with no folder, printed to stdout, gets file: URLs), else its recorded storage
 * URL, else nothing.
 */
export function playableSources(v: GalleryVideo, pageDir: string | null): { src: string | null; poster: string | null } {
  const ref = (path: string | null, url: string | null): string | null => {
    if (path) return pageDir === null ? pathToFileURL(path).href : fileReference(pageDir, path);
    return url && /^https?:\/\//i.test(url) ? url : null;
  };
  return { src: ref(v.path, v.url), poster: ref(v.thumbnail_path, v.thumbnail_url) };
}

/** `path` relative to `pageDir` when it lies below it (URL-encoded segments), else its file: URL. */
function fileReference(pageDir: string, path: string): string {
  const prefix = pageDir.endsWith(sep) ? pageDir : `${pageDir}${sep}`;
  if (!path.startsWith(prefix)) return pathToFileURL(path).href;
  return path.slice(prefix.length).split(sep).map(encodeURIComponent).join('/');
}
