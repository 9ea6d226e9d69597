-- Per-database settings that octo keeps beside the web app's tables. The JWT secret used when
-- OCTO_JWT_SECRET is unset: random, made once per database (gen_random_uuid is a strong RNG).
CREATE TABLE IF NOT EXISTS octo_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

INSERT INTO octo_settings (key, value)
VALUES ('jwt_secret', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
ON CONFLICT (key) DO NOTHING;
