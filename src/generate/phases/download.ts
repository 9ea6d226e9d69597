import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { assetFileBase, prepareDownloadDir } from '../../storage/local-files.js';
import { completeGeneration, type NewVideo } from '../../db/tables/generation-state.js';
import type { GenerationRow } from '../../db/tables/generations.js';
import type { ProfileWithKey } from '../../sora/profile.js';
import type { Job, SoraClient } from '../../sora/index.js';
import type { Runner } from '../runner.js';
import type { StoredRequest } from '../plan.js';
import { transferText } from '../../output/progress.js';
import { resultOf, short, type LineResult } from '../results.js';

/**
 * Phase 4, download: each asset's video and thumbnail side by side into the row's folder
 * (`jobs wait --out` first, then the folder stored with the row, then the default), uploaded when
 * storage is set, then the videos and the `completed` status in one statement. A failure of either file stops the other:
 * no `*.part-*` is left behind, and leftovers of a killed run for these files are removed first.
 */
export async function downloadRow(
  runner: Pick<Runner, 'db' | 'session' | 'signal' | 'view' | 'label' | 'now' | 'storage' | 'outFolder'>,
  row: GenerationRow,
  job: Job,
  profile: ProfileWithKey,
  client: SoraClient,
): Promise<LineResult> {
  const label = runner.label(row);
  const req = row.request as unknown as StoredRequest | null;
  const out = runner.outFolder(req?.out);
  const download = req?.download ?? true;
  const thumbExt = profile.sora_version === 'sora-1' ? '.jpg' : '.webp';
  const videos: NewVideo[] = [];
  const files: string[] = [];
  if (download && job.assets.length) await prepareDownloadDir(out);
  for (const asset of job.assets) {
    // Ids come from the service: a file name inside `out`, an encoded URL segment.
    const base = assetFileBase(out, asset.id);
    let url = client.contentUrl(asset.id);
    let thumb: string | null = null;
    if (download) {
      const name = `${basename(base)}.mp4`;
      runner.view.update(row.id, `${label}  downloading ${name}  ${short(row.prompt)}`);
      await removePartials([`${base}.mp4`, `${base}${thumbExt}`]);
      const began = runner.now();
      // Bytes, percent and rate on the live line (a terminal redraws it; piped output ignores it).
      const onProgress = (bytes: number, total: number | null) =>
        runner.view.update(row.id, `${label}  downloading ${name}  ${transferText(bytes, total, runner.now() - began)}  ${short(row.prompt)}`);
      [url, thumb] = await bothOrNeither(runner.signal, [
        (signal) => client.download(asset.id, { dest: `${base}.mp4`, signal, onProgress }),
        (signal) => client.download(asset.id, { variant: 'thumbnail', dest: `${base}${thumbExt}`, signal }),
      ]);
      files.push(url);
    }
    // The step after a video is on disk and before it is recorded: the upload to Blob Storage
    // (storage-url). A crash here leaves the row to jobs wait / --resume.
    if (runner.storage) runner.view.update(row.id, `${label}  uploading ${asset.id}  ${short(row.prompt)}`);
    const where = runner.storage
      ? await (await import('../../storage/store.js')).storeGenerationAsset(
          runner.storage,
          { db: runner.db, session: runner.session, signal: runner.signal },
          { generationId: row.id, assetId: asset.id, soraVersion: profile.sora_version, videoFile: download ? url : null, thumbnailFile: thumb, client },
        )
      : { url, thumbnail_url: thumb, file_id: asset.id };
    videos.push({
      ...where,
      prompt: row.prompt,
      width: job.width ?? Number(row.resolution.split('x')[0]),
      height: job.height ?? Number(row.resolution.split('x')[1]),
      duration: job.seconds ?? Number(row.duration),
      sora_version: profile.sora_version,
      azure_video_id: asset.id,
      expires_at: job.expiresAt,
    });
  }
  const completed = await completeGeneration(runner.db, runner.session, row.id, videos);
  runner.view.event(
    completed ? `${label}: completed${files.length ? ` → ${files.join(', ')}` : ''}` : `${label}: already finished elsewhere; nothing recorded twice`,
  );
  return resultOf(row, { job_id: job.id, status: 'completed', files, failure_reason: null });
}

/** Runs both downloads; when one fails the other is aborted (and cleans its part file, or its finished file) before the error goes on. */
async function bothOrNeither(signal: AbortSignal, tasks: ((signal: AbortSignal) => Promise<{ path: string }>)[]): Promise<[string, string]> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const settled = await Promise.allSettled(
      tasks.map((t) =>
        t(stop.signal).catch((error) => {
          stop.abort(error);
          throw error;
        }),
      ),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      // Neither: a thumbnail that finished first does not stay beside a video that was refused.
      const done = settled.filter((s): s is PromiseFulfilledResult<{ path: string }> => s.status === 'fulfilled');
      await Promise.all(done.map((s) => unlink(s.value.path).catch(() => undefined)));
      throw signal.aborted ? signal.reason : firstCause(settled);
    }
    return settled.map((s) => (s as PromiseFulfilledResult<{ path: string }>).value.path) as [string, string];
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The error that started it (not the sibling's abort). */
function firstCause(settled: PromiseSettledResult<unknown>[]): unknown {
  const errors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
  return errors.find((e) => !(e instanceof Error && e.name === 'AbortError')) ?? errors[0];
}

/** `dest.part-*` files of `dests`, left by a run that was killed mid-download. */
export async function removePartials(dests: string[]): Promise<void> {
  for (const dest of dests) {
    const dir = dirname(dest);
    const prefix = `${basename(dest)}.part-`;
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => unlink(join(dir, n)).catch(() => undefined)));
  }
}
