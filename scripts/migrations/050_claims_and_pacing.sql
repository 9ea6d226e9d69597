-- Many octo processes on one database (issue 10): a generation row is worked on by one process at
-- a time, under a lease (claimed_by, claim_expires_at) renewed while it works and taken over by
-- another process once it has expired. Every state change is compare-and-set on the state it
-- expects, so these columns are all the coordination there is; no process trusts its own memory.
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS claimed_by TEXT;
ALTER TABLE video_generations ADD COLUMN IF NOT EXISTS claim_expires_at TIMESTAMPTZ;
CREATE INDEX IF NOT EXISTS idx_video_generations_unfinished
  ON video_generations (user_id, created_at) WHERE status IN ('queued', 'running');

-- One create quota per Azure resource (endpoint host + deployment), shared by every process and
-- every user on it: the pace (strictest recently asked for wins), the creates of the last minute
-- (a sliding window, as the service counts), and the pause a 429 imposed on everyone.
CREATE TABLE IF NOT EXISTS octo_create_pacing (
  resource TEXT PRIMARY KEY,
  creates_per_minute INTEGER,
  recent TIMESTAMPTZ[] NOT NULL DEFAULT '{}',
  paused_until TIMESTAMPTZ,
  creates BIGINT NOT NULL DEFAULT 0,
  rate_limited BIGINT NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- A profile may carry its resource's pace (creates per minute); --creates-per-minute overrides it.
ALTER TABLE profiles_config ADD COLUMN IF NOT EXISTS creates_per_minute INTEGER;

-- Who is pacing creates on a resource right now, at what pace: the strictest pace of the processes
-- seen in the last two minutes applies to all of them.
CREATE TABLE IF NOT EXISTS octo_create_pacers (
  resource TEXT NOT NULL,
  owner TEXT NOT NULL,
  creates_per_minute INTEGER,
  seen_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (resource, owner)
);

-- Both are shared by every user on a resource (no user data in them): members may read and write
-- them (scripts/migrations/061_members.sql reads this marker).
COMMENT ON TABLE octo_create_pacing IS 'octo-members: shared (one create quota per Azure resource)';
COMMENT ON TABLE octo_create_pacers IS 'octo-members: shared (the pace each octo process asks for on a resource)';
