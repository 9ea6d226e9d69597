-- What generate, jobs and videos add: a video row knows the generation (and so the profile) it
-- came from, its thumbnail and when the service deletes its content; and both lists read in
-- newest-first order per user from an index.
ALTER TABLE video_metadata ADD COLUMN IF NOT EXISTS generation_id UUID;
ALTER TABLE video_metadata ADD COLUMN IF NOT EXISTS thumbnail_url TEXT;
ALTER TABLE video_metadata ADD COLUMN IF NOT EXISTS expires_at TIMESTAMPTZ;

CREATE INDEX IF NOT EXISTS idx_video_metadata_user_created ON video_metadata (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_video_metadata_generation ON video_metadata (generation_id) WHERE generation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_video_generations_user_created ON video_generations (user_id, created_at DESC);
