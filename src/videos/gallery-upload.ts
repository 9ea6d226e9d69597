import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Context } from '../context/context.js';
import { storedVideos } from '../db/tables/uploads.js';
import type { GalleryRow } from './gallery.js';
import { requireStorage, storeVideo } from './storage.js';

type UploadCtx = Pick<Context, 'processEnv' | 'now' | 'signal' | 'log' | 'db' | 'session' | 'setting'>;

/** A video of the page that could not be put in the container (the page says it is not there). */
export interface GalleryUploadFailure {
  id: string;
  reason: string;
}

export interface SharedGallery {
  /** The rows as the shared page shows them: storage URLs only (fresh read-only links), no local paths. */
  rows: GalleryRow[];
  failed: GalleryUploadFailure[];
  uploaded: number;
  /** Where the page goes and how it is put there, once it is rendered from `rows`. */
  publish(html: string): Promise<{ url: string; expires_at: Date | null }>;
}

/**
 * `videos gallery --upload`: every video of the page not yet in the container goes there (as
 * `videos upload` does, recording its URL), then each video's link is signed afresh (a private
 * container's links expire: the page's should live as long as its own link), and the page itself
 * is put at `<user id>/galleries/<time>-<random>.html`, read through one read-only link that needs
 * no credentials. The page never carries a key or a write SAS: only the read-only links.
 */
export async function shareGallery(ctx: UploadCtx, rows: readonly GalleryRow[]): Promise<SharedGallery> {
  const settings = requireStorage(ctx);
  const session = await ctx.session();
  const db = await ctx.db();
  const { blobStoreFor } = await import('../storage/store.js');
  const store = await blobStoreFor(settings);
  const onPage = new Set(rows.flatMap((r) => r.videos.map((v) => v.id)));
  const missing = (await storedVideos(db, session, null, settings.containerUrl)).filter((v) => onPage.has(v.id));
  const stored = new Map<string, { url: string; thumbnail_url: string | null }>();
  const failed: GalleryUploadFailure[] = [];
  for (const v of missing) {
    try {
      const { video, thumbnail } = await storeVideo(ctx, store, v);
      stored.set(v.id, { url: video.url, thumbnail_url: thumbnail?.url ?? null });
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      ctx.log.warn(`video ${v.id}: ${(error as Error).message}`);
      failed.push({ id: v.id, reason: (error as Error).message });
    }
  }
  const now = ctx.now();
  const fresh = async (url: string | null): Promise<string | null> => {
    if (!url || !/^https?:\/\//i.test(url)) return null;
    const blob = blobNameIn(settings.containerUrl, url);
    return blob ? (await store.playableUrl(blob, now)).url : url;
  };
  const shared: GalleryRow[] = [];
  for (const r of rows) {
    const videos = [];
    for (const v of r.videos) {
      const current = stored.get(v.id) ?? { url: v.url, thumbnail_url: v.thumbnail_url };
      videos.push({ ...v, url: (await fresh(current.url)) ?? '', thumbnail_url: await fresh(current.thumbnail_url), path: null, thumbnail_path: null });
    }
    shared.push({ ...r, videos, url: videos[0]?.url || null, path: null });
  }
  return {
    rows: shared,
    failed,
    uploaded: stored.size,
    async publish(html) {
      const stamp = now
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      const blob = `${session.userId}/galleries/${stamp}-${randomBytes(4).toString('hex')}.html`;
      await store.upload(blob, Readable.from([Buffer.from(html)]), 'text/html; charset=utf-8', ctx.signal);
      const link = await store.playableUrl(blob, now);
      return { url: link.url, expires_at: link.expiresAt };
    },
  };
}

/** The blob a URL names inside `containerUrl` (its path below the container, decoded), else undefined. */
function blobNameIn(containerUrl: string, url: string): string | undefined {
  try {
    const u = new URL(url);
    const c = new URL(containerUrl);
    const prefix = `${c.pathname.replace(/\/$/, '')}/`;
    if (u.origin !== c.origin || !u.pathname.startsWith(prefix)) return undefined;
    const segments = u.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
    return segments.some((s) => s === '' || s === '.' || s === '..') ? undefined : segments.join('/');
  } catch {
    return undefined; // not a URL, or a malformed escape: not one of ours
  }
}
