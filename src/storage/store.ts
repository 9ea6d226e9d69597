import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import type { Session } from '../auth/session.js';
import { FailureError } from '../core/errors.js';
import { claimUploads, markUploaded, releaseUploads, renewUploads, type ClaimedUpload, type UploadedBlob, type VideoUrls } from '../db/tables/uploads.js';
import type { Db } from '../db/connection/types.js';
import { escapeControl } from '../output/escape.js';
import { whyNotOurs } from './local-files.js';
import { openBlobStore, type BlobStore, type OpenOptions } from './blob.js';
import type { StorageSettings } from './settings.js';

/**
 * Putting a generation's files in the container, as one crash-safe step:
 *   claim  – a row per blob in octo_uploads (pending), leased to this process
 *   upload – from the downloaded file, or streamed from the service (nothing on disk)
 *   mark   – `uploaded`, lease released; the caller records the playable URL
 * A crash anywhere leaves the generation unfinished (or the video un-uploaded): `jobs wait`,
 * `--resume` or `videos upload` claims the rows again and finishes; a blob whose upload already
 * completed (same size in the container) is not sent twice.
 */

export interface StoreContext {
  db: Db;
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface Asset {
  /** Path below `<user id>/`: `<generation id>/<asset id>.mp4`. */
  rel: string;
  kind: 'video' | 'thumbnail';
  contentType: string;
  generationId: string | null;
  /** A local copy, when there is one. */
  file: string | null;
  /** The service's copy, when there is no local one. */
  open?: () => Promise<{ body: Readable; bytes: number | null }>;
}

export interface StoredBlob extends UploadedBlob {
  url: string;
  expiresAt: Date | null;
}

/** Who holds a lease: host and pid, so a run on the same host can tell a crashed holder. */
const OWNER = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
// As the generation rows' leases: renewed every third, so a live process never loses one.
const LEASE_SECONDS = 60;
const ATTEMPTS = 3;
/** Nothing to upload from: a retry cannot help. */
class NoSourceError extends FailureError {}
const stores = new WeakMap<StorageSettings, Promise<BlobStore>>();

/** One client per configured storage and run. */
export function blobStoreFor(settings: StorageSettings, o: OpenOptions = {}): Promise<BlobStore> {
  let store = stores.get(settings);
  if (!store) {
    store = openBlobStore(settings, o);
    stores.set(settings, store);
  }
  return store;
}

/**
 * Claims, uploads and marks `assets`, then returns their playable URLs. With `video`, the
 * video_metadata row is pointed at them in the same statement as the marks.
 */
export async function storeAssets(store: BlobStore, ctx: StoreContext, assets: Asset[], video?: (blobs: StoredBlob[]) => VideoUrls): Promise<StoredBlob[]> {
  const claims = await claim(store, ctx, assets);
  const names = claims.map((c) => c.blob_name);
  const renew = setInterval(
    () => {
      renewUploads(ctx.db, ctx.session, names, OWNER, LEASE_SECONDS).catch(() => undefined);
    },
    (LEASE_SECONDS * 1000) / 3,
  );
  renew.unref();
  try {
    // Video and thumbnail side by side (each streams in bounded blocks); both end before the
    // leases are released, so no upload of ours is still running when another process may start.
    const settled = await Promise.allSettled(
      assets.map(async (asset, i): Promise<StoredBlob> => {
        const c = claims[i];
        if (!c) throw new FailureError(`no upload row was claimed for ${asset.rel}`);
        const bytes = await transfer(store, c, asset, ctx.signal);
        return { blob_name: c.blob_name, bytes, ...(await store.playableUrl(c.blob_name, ctx.now?.())) };
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const stored = settled.map((r) => (r as PromiseFulfilledResult<StoredBlob>).value);
    const marked = await markUploaded(
      ctx.db,
      ctx.session,
      stored.map(({ blob_name, bytes }) => ({ blob_name, bytes })),
      OWNER,
      video?.(stored),
    );
    if (marked !== stored.length) throw new FailureError('another octo process took over these uploads (this one was too slow); it records them');
    return stored;
  } catch (error) {
    await releaseUploads(ctx.db, ctx.session, names, OWNER).catch(() => undefined);
    throw error;
  } finally {
    clearInterval(renew);
  }
}

async function claim(store: BlobStore, ctx: StoreContext, assets: Asset[]): Promise<ClaimedUpload[]> {
  const items = assets.map((a) => ({ rel: a.rel, generation_id: a.generationId, kind: a.kind, source: a.file }));
  const take = (stealable: string[]) =>
    claimUploads(ctx.db, ctx.session, { containerUrl: store.settings.containerUrl, owner: OWNER, leaseSeconds: LEASE_SECONDS, stealable, items });
  let claims = await take([]);
  const held = claims.filter((c) => !c.claimed);
  if (held.length) {
    const dead = [...new Set(held.map((c) => c.held_by ?? ''))].filter(ownerIsDead);
    if (dead.length) claims = await take(dead);
  }
  const busy = claims.find((c) => !c.claimed);
  if (busy) {
    const [host, pid] = (busy.held_by ?? '?:?').split(':');
    const others = claims.filter((c) => c.claimed).map((c) => c.blob_name);
    if (others.length) await releaseUploads(ctx.db, ctx.session, others, OWNER).catch(() => undefined);
    throw new FailureError(`another octo process (pid ${pid} on ${host}) is uploading ${busy.blob_name}; it records the video when done`, {
      hint: 'if that process is gone, its lease ends within a minute: run the command again then',
    });
  }
  return claims;
}

/** A holder on this host whose process no longer exists crashed: its lease may be taken now. */
function ownerIsDead(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function transfer(store: BlobStore, c: ClaimedUpload, asset: Asset, signal?: AbortSignal): Promise<number> {
  if (c.state === 'uploaded' && c.bytes !== null && (await store.size(c.blob_name)) === Number(c.bytes)) return Number(c.bytes);
  // A path from a (possibly shared) database is read only when it is a file octo downloaded
  // (the rule `videos delete --files` follows): else another user could have it upload ~/.ssh/id_rsa.
  const path = asset.file ?? c.source;
  const refused = path ? await whyNotOurs(path) : null;
  const file = path && !refused ? path : null;
  for (let attempt = 1; ; attempt++) {
    try {
      let body: Readable;
      let expected: number | null;
      if (file) {
        // O_NOFOLLOW: the file checked above, not a link swapped in since.
        const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
        expected = (await handle.stat()).size;
        body = handle.createReadStream();
      } else if (asset.open) {
        ({ body, bytes: expected } = await asset.open());
      } else {
        const why = path ? ` (${escapeControl(path)}: ${refused})` : '';
        throw new NoSourceError(`${asset.kind} for ${c.blob_name}: no local file octo may read${why} and the service's copy is not available`);
      }
      const sent = await store.upload(c.blob_name, body, asset.contentType, signal);
      if (expected !== null && sent !== expected) throw new FailureError(`upload of ${c.blob_name} incomplete: sent ${sent} of ${expected} bytes`);
      return sent;
    } catch (error) {
      if (signal?.aborted || attempt >= ATTEMPTS || error instanceof NoSourceError) throw error;
    }
  }
}

/**
 * An id from the service (or a shared database) as one blob path segment: letters, digits, `.`,
 * `_`, `-`, no leading dot, so a hostile id cannot leave `<user id>/<generation id>/`.
 */
export function blobSegment(id: string): string {
  return (
    id
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, (dots) => '_'.repeat(dots.length))
      .slice(0, 128) || 'video'
  );
}

/** The blob names a generation's asset gets, and the content types the browser needs. */
export function assetBlobs(generationId: string, assetId: string, soraVersion: string) {
  const thumbExt = soraVersion === 'sora-1' ? 'jpg' : 'webp';
  const base = `${blobSegment(generationId)}/${blobSegment(assetId)}`;
  return {
    video: { rel: `${base}.mp4`, contentType: 'video/mp4' },
    thumbnail: { rel: `${base}.${thumbExt}`, contentType: thumbExt === 'jpg' ? 'image/jpeg' : 'image/webp' },
  };
}

export interface GenerationAsset {
  generationId: string;
  assetId: string;
  soraVersion: string;
  /** Downloaded files (null with --no-download: streamed from the service instead). */
  videoFile: string | null;
  thumbnailFile: string | null;
  /** The service, for what is not on disk. */
  client: { open(assetId: string, o: { variant: 'video' | 'thumbnail'; signal?: AbortSignal }): Promise<{ body: Readable; bytes: number | null }> };
}

/** The runner's download phase: video and thumbnail to the container; what video_metadata records. */
export async function storeGenerationAsset(
  settings: StorageSettings,
  ctx: StoreContext,
  a: GenerationAsset,
): Promise<{ url: string; thumbnail_url: string | null; file_id: string }> {
  const store = await blobStoreFor(settings);
  const names = assetBlobs(a.generationId, a.assetId, a.soraVersion);
  const open = (variant: 'video' | 'thumbnail') => () => a.client.open(a.assetId, { variant, signal: ctx.signal });
  const [video, thumbnail] = await storeAssets(store, ctx, [
    { ...names.video, kind: 'video', generationId: a.generationId, file: a.videoFile, open: open('video') },
    { ...names.thumbnail, kind: 'thumbnail', generationId: a.generationId, file: a.thumbnailFile, open: open('thumbnail') },
  ]);
  return { url: video!.url, thumbnail_url: thumbnail?.url ?? null, file_id: video!.blob_name };
}
