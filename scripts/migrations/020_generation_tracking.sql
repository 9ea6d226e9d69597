-- What octo records beside the seed's video_generations columns: enough to resume a batch after
-- a crash without submitting anything twice, and to keep the estimate a row was made with.
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS idempotency_key TEXT;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS batch_id UUID;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS batch_line INTEGER;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS request JSONB;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS tags JSONB;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS unit_price_usd NUMERIC(12,6);
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS pricing_version TEXT;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS submitted_at TIMESTAMPTZ;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS finished_at TIMESTAMPTZ;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS failure_reason TEXT;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS progress INTEGER;

CREATE UNIQUE INDEX IF NOT EXISTS idx_video_generations_idempotency
  ON video_generations (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_video_generations_batch ON video_generations (batch_id) WHERE batch_id IS NOT NULL;

-- Monthly budgets: one for all of a user's spend (profile_name NULL) and any per profile.
CREATE TABLE IF NOT EXISTS octo_budgets (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  profile_name VARCHAR(255),
  monthly_usd NUMERIC(12,4) NOT NULL CHECK (monthly_usd >= 0),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_octo_budgets_scope ON octo_budgets (user_id, COALESCE(profile_name, ''));
