import { profileFromJson, profileWithKeyColumns } from './profile-config.js';
import type { ProfileWithKey } from '../../sora/profile.js';
import type { Db, SessionRef } from '../connection/types.js';

/**
 * octo_uploads: one row per blob. Claimed (owner + lease) before the upload starts, marked
 * `uploaded` (and released) once the blob is whole. Every query is scoped to the session's user.
 */

export interface UploadClaim {
  /** The blob's path below `<user id>/`: `<generation id>/<asset>.mp4`. */
  rel: string;
  generation_id: string | null;
  kind: 'video' | 'thumbnail';
  /** The local file it is read from, or null (streamed from the service). */
  source: string | null;
}

export type ClaimedUpload = {
  rel: string;
  blob_name: string;
  claimed: boolean;
  /** For a claimed row: what a previous run left (`uploaded` with its bytes lets it be skipped). */
  state: 'pending' | 'uploaded' | null;
  bytes: number | null;
  source: string | null;
  /** For a row not claimed: who holds it. */
  held_by: string | null;
};

/**
 * Takes the lease on each blob (inserting its row, `pending`, the first time). A row whose lease
 * another owner holds, unexpired, is not taken, unless that owner is in `stealable` (a process
 * known dead). One round trip.
 */
export async function claimUploads(
  db: Db,
  session: SessionRef,
  o: { containerUrl: string; owner: string; leaseSeconds: number; stealable: string[]; items: UploadClaim[] },
): Promise<ClaimedUpload[]> {
  return db.forSession(session).query<ClaimedUpload>(
    `WITH incoming AS (
       SELECT x.*, (SELECT user_id FROM auth)::text || '/' || x.rel AS blob_name
         FROM jsonb_to_recordset($1::jsonb) AS x(rel TEXT, generation_id UUID, kind TEXT, source TEXT)),
     up AS (
       INSERT INTO octo_uploads AS u (user_id, blob_name, container_url, generation_id, kind, source, owner, lease_until)
       SELECT a.user_id, i.blob_name, $2, i.generation_id, i.kind, i.source, $3, NOW() + make_interval(secs => $4::float8)
         FROM incoming i, auth a
       ON CONFLICT (user_id, blob_name) DO UPDATE SET
         owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until,
         state = CASE WHEN u.container_url = EXCLUDED.container_url THEN u.state ELSE 'pending' END,
         container_url = EXCLUDED.container_url, source = COALESCE(EXCLUDED.source, u.source), updated_at = NOW()
        WHERE u.owner IS NULL OR u.owner = EXCLUDED.owner OR u.lease_until < NOW() OR u.owner = ANY($5::text[])
       RETURNING u.blob_name, u.state, u.bytes, u.source)
     SELECT i.rel, i.blob_name, up.blob_name IS NOT NULL AS claimed, up.state, up.bytes, COALESCE(up.source, i.source) AS source,
       CASE WHEN up.blob_name IS NULL THEN cur.owner END AS held_by
       FROM incoming i
       LEFT JOIN up ON up.blob_name = i.blob_name
       LEFT JOIN octo_uploads cur ON cur.user_id = (SELECT user_id FROM auth) AND cur.blob_name = i.blob_name`,
    [JSON.stringify(o.items), o.containerUrl, o.owner, o.leaseSeconds, o.stealable],
  );
}

/** Keeps the lease while a long upload runs. */
export async function renewUploads(db: Db, session: SessionRef, blobNames: string[], owner: string, leaseSeconds: number): Promise<void> {
  await db.forSession(session).query(
    `UPDATE octo_uploads SET lease_until = NOW() + make_interval(secs => $3::float8)
      WHERE user_id = (SELECT user_id FROM auth) AND blob_name = ANY($1::text[]) AND owner = $2 RETURNING id`,
    [blobNames, owner, leaseSeconds],
  );
}

/** Gives the lease back (after a failure), so another run may take the blobs at once. */
export async function releaseUploads(db: Db, session: SessionRef, blobNames: string[], owner: string): Promise<void> {
  await db.forSession(session).query(
    `UPDATE octo_uploads SET owner = NULL, lease_until = NULL
      WHERE user_id = (SELECT user_id FROM auth) AND blob_name = ANY($1::text[]) AND owner = $2 RETURNING id`,
    [blobNames, owner],
  );
}

export interface UploadedBlob {
  blob_name: string;
  bytes: number;
}

/** The video row's new URLs (`videos upload`, `videos link`), written with the blobs' marks. */
export interface VideoUrls {
  id: string;
  url: string;
  thumbnail_url: string | null;
  file_id: string;
}

/**
 * Marks the blobs uploaded and releases them; with `video`, also points the video_metadata row
 * at them, in the same statement. Returns how many blobs this owner still held (a lease lost to
 * another process returns fewer).
 */
export async function markUploaded(db: Db, session: SessionRef, blobs: UploadedBlob[], owner: string, video?: VideoUrls): Promise<number> {
  const [row] = await db.forSession(session).query<{ marked: number }>(
    `WITH marked AS (
       UPDATE octo_uploads u SET state = 'uploaded', bytes = x.bytes, uploaded_at = NOW(), owner = NULL, lease_until = NULL, updated_at = NOW()
         FROM jsonb_to_recordset($1::jsonb) AS x(blob_name TEXT, bytes BIGINT)
        WHERE u.user_id = (SELECT user_id FROM auth) AND u.blob_name = x.blob_name AND u.owner = $2
       RETURNING u.id),
     video AS (
       UPDATE video_metadata v SET url = $4, thumbnail_url = COALESCE($5, v.thumbnail_url), file_id = $6, updated_at = NOW()
        WHERE $3::uuid IS NOT NULL AND v.id = $3::uuid AND v.user_id = (SELECT user_id FROM auth)
          AND (SELECT count(*) FROM marked) = $7::int
       RETURNING v.id)
     SELECT (SELECT count(*)::int FROM marked) AS marked, (SELECT count(*)::int FROM video) AS videos`,
    [JSON.stringify(blobs), owner, video?.id ?? null, video?.url ?? null, video?.thumbnail_url ?? null, video?.file_id ?? null, blobs.length],
  );
  return Number(row?.marked ?? 0);
}

/** A video as `videos upload` / `videos link` need it: where its bytes are, and its blobs if any. */
export type StoredVideo = {
  id: string;
  url: string;
  thumbnail_url: string | null;
  file_id: string;
  azure_video_id: string | null;
  generation_id: string | null;
  sora_version: string | null;
  created_at: Date;
  expires_at: Date | null;
  /** The blob `file_id` names, uploaded in this container. */
  uploaded: boolean;
  /** Where the blob file_id names was uploaded (any container), if it was. */
  container_url: string | null;
  /** The thumbnail's blob beside it, if one was uploaded. */
  thumbnail_blob: string | null;
  profile: ProfileWithKey | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One video by id, file id or Azure id; or (null) every video of the user not yet uploaded to
 * `containerUrl`, oldest first. One round trip.
 */
export async function storedVideos(db: Db, session: SessionRef, id: string | null, containerUrl: string): Promise<StoredVideo[]> {
  const found = await db.forSession(session).query<StoredVideo>(
    `WITH vids AS (
       SELECT v.*, u.container_url, (u.state = 'uploaded' AND u.container_url = $3) IS TRUE AS uploaded,
         (SELECT t.blob_name FROM octo_uploads t
           WHERE t.user_id = v.user_id AND t.kind = 'thumbnail' AND t.state = 'uploaded'
             AND t.blob_name IN (regexp_replace(v.file_id, '\\.mp4$', '') || '.jpg', regexp_replace(v.file_id, '\\.mp4$', '') || '.webp')
           LIMIT 1) AS thumbnail_blob
         FROM video_metadata v
         LEFT JOIN octo_uploads u ON u.user_id = v.user_id AND u.blob_name = v.file_id
        WHERE v.user_id = (SELECT user_id FROM auth)
          AND ($1::text IS NULL OR ($2::uuid IS NOT NULL AND v.id = $2::uuid) OR v.file_id = $1 OR v.azure_video_id = $1))
     SELECT vids.id, vids.url, vids.thumbnail_url, vids.file_id, vids.azure_video_id, vids.generation_id, vids.sora_version,
       vids.created_at, vids.expires_at, vids.uploaded, vids.container_url, vids.thumbnail_blob,
       (SELECT to_jsonb(p) FROM (SELECT ${profileWithKeyColumns('pc')}
          FROM video_generations g JOIN profiles_config pc ON pc.user_id = g.user_id AND pc.name = g.profile_name
         WHERE g.id = vids.generation_id LIMIT 1) p) AS profile
       FROM vids
      WHERE $1::text IS NOT NULL OR NOT vids.uploaded
      ORDER BY vids.created_at, vids.id`,
    [id, id && UUID.test(id) ? id : null, containerUrl],
  );
  return found.map((v) => ({ ...v, profile: profileFromJson(v.profile) }));
}
