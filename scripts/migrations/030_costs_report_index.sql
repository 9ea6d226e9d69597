-- Cost reports and budget checks read a user's generations by creation time: this index
-- answers them from the index alone (an index-only scan), however many rows the table holds.
CREATE INDEX IF NOT EXISTS idx_video_generations_user_created
  ON video_generations (user_id, created_at)
  INCLUDE (status, estimated_cost, duration, variants, sora_model, profile_name);
