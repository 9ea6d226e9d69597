-- 030 (the covering index cost reports read) and 040 (newest-first lists) both created an index
-- named idx_video_generations_user_created with different definitions: whichever ran first won
-- and the other was silently skipped. Keep 030's: scanned backward it also serves 040's lists.
DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_indexes
    WHERE schemaname = current_schema() AND indexname = 'idx_video_generations_user_created' AND indexdef NOT LIKE '%INCLUDE%'
  ) THEN
    DROP INDEX idx_video_generations_user_created;
  END IF;
END
$$;

CREATE INDEX IF NOT EXISTS idx_video_generations_user_created
  ON video_generations (user_id, created_at)
  INCLUDE (status, estimated_cost, duration, variants, sora_model, profile_name);
