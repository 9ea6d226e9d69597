-- Octo database schema: the five tables of the Octo web app (NEON_DATABASE_SETUP.md), with the
-- same names, columns and types, so the web app and the octo CLI can share one database.
-- Timestamps are TIMESTAMPTZ, as the web app creates them. What octo adds lives in
-- scripts/migrations/ (additive only: never rename or drop a column here).
-- Apply with: psql "$DATABASE_URL" -f scripts/neon-schema.sql   (or: octo db migrate)

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

-- Users: authentication
CREATE TABLE IF NOT EXISTS users (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  email VARCHAR(255) UNIQUE NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  name VARCHAR(128),
  email_verified BOOLEAN DEFAULT FALSE,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

-- Sessions: JWT session management
CREATE TABLE IF NOT EXISTS sessions (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash VARCHAR(255) NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  created_at TIMESTAMPTZ DEFAULT NOW()
);

-- Azure API profiles
CREATE TABLE IF NOT EXISTS profiles_config (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name VARCHAR(255) NOT NULL,
  endpoint VARCHAR(500) NOT NULL,
  api_key VARCHAR(500) NOT NULL,
  deployment VARCHAR(255) NOT NULL,
  sora_version VARCHAR(50) DEFAULT 'sora-1',
  is_active BOOLEAN DEFAULT FALSE,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

-- Generated video records
CREATE TABLE IF NOT EXISTS video_metadata (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  file_id VARCHAR(255) NOT NULL,
  url TEXT NOT NULL,
  prompt TEXT NOT NULL,
  height VARCHAR(50) NOT NULL,
  width VARCHAR(50) NOT NULL,
  duration VARCHAR(50) NOT NULL,
  sora_version VARCHAR(50) DEFAULT 'sora-1',
  azure_video_id VARCHAR(255),
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

-- Cost tracking
CREATE TABLE IF NOT EXISTS video_generations (
  id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  prompt TEXT NOT NULL,
  sora_model VARCHAR(50) NOT NULL,
  duration INTEGER NOT NULL,
  resolution VARCHAR(50) NOT NULL,
  variants INTEGER DEFAULT 1,
  generation_mode VARCHAR(50) NOT NULL,
  estimated_cost DECIMAL(10,4) NOT NULL,
  video_id VARCHAR(255),
  profile_name VARCHAR(255),
  status VARCHAR(50) DEFAULT 'queued',
  job_id VARCHAR(255),
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

-- Indexes
CREATE INDEX IF NOT EXISTS idx_users_email ON users(email);
CREATE INDEX IF NOT EXISTS idx_sessions_user_id ON sessions(user_id);
CREATE INDEX IF NOT EXISTS idx_sessions_token_hash ON sessions(token_hash);
CREATE INDEX IF NOT EXISTS idx_profiles_user_id ON profiles_config(user_id);
CREATE INDEX IF NOT EXISTS idx_video_metadata_user_id ON video_metadata(user_id);
CREATE INDEX IF NOT EXISTS idx_video_generations_job_id ON video_generations(job_id);
