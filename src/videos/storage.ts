import { noneWithId } from '../db/tables/ids.js';
import { extname } from 'node:path';
import { FailureError, UsageError } from '../core/errors.js';
import { escapeControl } from '../output/escape.js';
import { markUploaded, storedVideos, type StoredVideo } from '../db/tables/uploads.js';
import { soraClientFor, type SoraClient } from '../sora/index.js';
import { redactSas, storageSettings, type StorageSettings } from '../storage/settings.js';
import type { BlobStore } from '../storage/blob.js';
import { blobSegment, type Asset, type StoredBlob } from '../storage/store.js';
import { whyNotOurs } from '../storage/local-files.js';
import type { Context } from '../context/context.js';

type StorageEnv = Pick<Context, 'processEnv' | 'now' | 'signal' | 'log' | 'db' | 'session' | 'setting'>;

/** `videos upload` and `videos link`: storage for videos recorded before it was configured, and fresh links. */

export function requireStorage(ctx: Pick<Context, 'processEnv' | 'log' | 'setting'>): StorageSettings {
  const s = storageSettings(ctx.processEnv, ctx.setting, ctx.log.debugEnabled ? (l) => ctx.log.debug(l) : undefined);
  if (!s) {
    throw new UsageError('no storage is configured', {
      hint: 'octo config set storage-url https://ACCOUNT.blob.core.windows.net/CONTAINER (or set OCTO_STORAGE_URL)',
    });
  }
  return s;
}

/** One video of `videos upload` (its `--json` row). */
export type UploadResult = {
  id: string;
  status: 'uploaded' | 'already uploaded' | 'failed';
  url: string | null;
  file_id: string | null;
  reason: string | null;
};

/** Every video looked at (one with an ID), and the container they were uploaded to. */
export interface Uploaded {
  results: UploadResult[];
  containerUrl: string;
}

/** A fresh playable link of a stored video (the `--json` of `videos link`); `expires_at` null: a public-read container. */
export interface VideoLink {
  id: string;
  url: string;
  thumbnail_url: string | null;
  expires_at: Date | null;
}

/** `videos upload [ID|--all]`: each video not yet in the container, from its local file or the service's copy. */
export async function uploadVideos(ctx: StorageEnv, id: string | undefined, all: boolean): Promise<Uploaded> {
  if (!id && !all) throw new UsageError('name a video or pass --all');
  if (id && all) throw new UsageError('give an ID or --all, not both');
  const settings = requireStorage(ctx);
  const session = await ctx.session();
  const db = await ctx.db();
  const list = await storedVideos(db, session, id ?? null, settings.containerUrl);
  if (id && list.length === 0) throw noneWithId('video', id);
  const { blobStoreFor } = await import('../storage/store.js');
  const store = await blobStoreFor(settings);
  const results: UploadResult[] = [];
  for (const v of list) {
    if (v.uploaded) {
      results.push({ id: v.id, status: 'already uploaded', url: v.url, file_id: v.file_id, reason: null });
      continue;
    }
    try {
      const { video } = await storeVideo(ctx, store, v);
      results.push({ id: v.id, status: 'uploaded', url: video.url, file_id: video.blob_name, reason: null });
    } catch (error) {
      if (ctx.signal.aborted || id) throw error;
      ctx.log.warn(`video ${v.id}: ${(error as Error).message}`);
      results.push({ id: v.id, status: 'failed', url: null, file_id: null, reason: (error as Error).message });
    }
  }
  return { results, containerUrl: settings.containerUrl };
}

/**
 * One recorded video (and its thumbnail) into the container, from its local file or the service's
 * copy, its row pointed at the blobs: `videos upload` and `videos gallery --upload`.
 */
export async function storeVideo(
  ctx: Pick<Context, 'processEnv' | 'now' | 'signal' | 'log' | 'db' | 'session'>,
  store: BlobStore,
  v: StoredVideo,
): Promise<{ video: StoredBlob; thumbnail: StoredBlob | null }> {
  const { storeAssets } = await import('../storage/store.js');
  const context = { db: await ctx.db(), session: await ctx.session(), signal: ctx.signal, now: ctx.now };
  const [video, thumbnail] = await storeAssets(store, context, await sourcesOf(v, ctx), (blobs) => ({
    id: v.id,
    url: blobs[0]!.url,
    thumbnail_url: blobs[1]?.url ?? null,
    file_id: blobs[0]!.blob_name,
  }));
  ctx.log.info(`Uploaded video ${v.id} → ${redactSas(video!.url)}`);
  return { video: video!, thumbnail: thumbnail ?? null };
}

/** Where a recorded video's bytes can still be read: its local file, else the service's copy while it lives. */
async function sourcesOf(v: StoredVideo, ctx: Pick<Context, 'processEnv' | 'now' | 'signal'>): Promise<Asset[]> {
  // Paths come from a shared database: only a file octo downloaded is read (as `videos delete --files`).
  const refused = new Map<string, string>();
  const local = async (path: string | null) => {
    if (!path || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return null;
    const why = await whyNotOurs(path);
    if (why && why !== 'no such file') refused.set(path, why);
    return why ? null : path;
  };
  const expires = v.expires_at ?? new Date(new Date(v.created_at).getTime() + 24 * 3_600_000);
  const p = v.profile;
  let client: SoraClient | undefined;
  // Made on first use, with the profile's own credential: a video read from its local file needs
  // none (an --api-key-env variable that is not set is then no error).
  const service = p && v.azure_video_id && expires.getTime() > ctx.now().getTime() ? () => (client ??= soraClientFor(p, ctx.processEnv)) : null;
  const videoFile = await local(v.url);
  if (!videoFile && !service) {
    const why =
      v.url && refused.has(v.url)
        ? `${escapeControl(v.url)} is not a file octo may read: ${refused.get(v.url)}`
        : `no local file (${escapeControl(v.url ?? '')})`;
    throw new FailureError(`${why}, and the service's copy is gone (Sora keeps videos 24 h)`);
  }
  const dir = v.generation_id ?? `video-${v.id}`;
  const asset = blobSegment(v.azure_video_id ?? v.id);
  const open = (variant: 'video' | 'thumbnail') => async () => service!().open(v.azure_video_id!, { variant, signal: ctx.signal });
  const assets: Asset[] = [
    {
      rel: `${dir}/${asset}.mp4`,
      kind: 'video',
      contentType: 'video/mp4',
      generationId: v.generation_id,
      file: videoFile,
      open: service ? open('video') : undefined,
    },
  ];
  const thumbFile = await local(v.thumbnail_url);
  const ext = thumbFile ? extname(thumbFile).slice(1).toLowerCase() : (p?.sora_version ?? v.sora_version) === 'sora-2' ? 'webp' : 'jpg';
  if (thumbFile || service) {
    assets.push({
      rel: `${dir}/${asset}.${ext}`,
      kind: 'thumbnail',
      contentType: ext === 'webp' ? 'image/webp' : ext === 'png' ? 'image/png' : 'image/jpeg',
      generationId: v.generation_id,
      file: thumbFile,
      open: service ? open('thumbnail') : undefined,
    });
  }
  return assets;
}

/** `videos link ID`: a fresh playable URL (a new read-only SAS for a private container), printed and recorded. */
export async function linkVideo(ctx: Omit<StorageEnv, 'signal'>, id: string): Promise<VideoLink> {
  const settings = requireStorage(ctx);
  const session = await ctx.session();
  const db = await ctx.db();
  const [v] = await storedVideos(db, session, id, settings.containerUrl);
  if (!v) throw noneWithId('video', id);
  if (!v.container_url) throw new UsageError(`video ${v.id} is not in storage yet`, { hint: `upload it with: octo videos upload ${v.id}` });
  if (!v.uploaded) {
    throw new FailureError(`video ${v.id} is in ${v.container_url}, but storage-url names ${settings.containerUrl}`, {
      hint: `set storage-url back to ${v.container_url} (with its credentials), or copy it there with: octo videos upload ${v.id}`,
    });
  }
  const { blobStoreFor } = await import('../storage/store.js');
  const store = await blobStoreFor(settings);
  const video = await store.playableUrl(v.file_id, ctx.now());
  const thumbnail = v.thumbnail_blob ? await store.playableUrl(v.thumbnail_blob, ctx.now()) : null;
  await markUploaded(db, session, [], '', { id: v.id, url: video.url, thumbnail_url: thumbnail?.url ?? null, file_id: v.file_id });
  return { id: v.id, url: video.url, thumbnail_url: thumbnail?.url ?? null, expires_at: video.expiresAt };
}
