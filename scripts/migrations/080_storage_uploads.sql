-- Uploads to Azure Blob Storage (storage-url): one row per blob, written before the upload
-- starts and marked when it is done, so a crash between download and upload is seen and
-- finished by `jobs wait` / `--resume` / `videos upload`. `owner`/`lease_until` keep a second
-- process from uploading a blob another process is handling. user_id: for row-level security.
CREATE TABLE IF NOT EXISTS octo_uploads (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  blob_name TEXT NOT NULL,
  container_url TEXT NOT NULL,
  generation_id UUID,
  kind TEXT NOT NULL CHECK (kind IN ('video', 'thumbnail')),
  -- The downloaded file it was read from (NULL: streamed from the service, --no-download).
  source TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'uploaded')),
  bytes BIGINT,
  owner TEXT,
  lease_until TIMESTAMPTZ,
  uploaded_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (user_id, blob_name)
);

CREATE INDEX IF NOT EXISTS idx_octo_uploads_generation ON octo_uploads (generation_id) WHERE generation_id IS NOT NULL;
