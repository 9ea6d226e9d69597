-- Which sora-2 model a profile's deployment runs (octo `profile add --model sora-2|sora-2-pro`).
-- The deployment's name is whatever its owner chose, so it cannot say the model; until this is
-- set (NULL: the web app's rows and every older one) octo guesses from the name, as it did: a
-- name containing sora-2-pro means sora-2-pro, anything else sora-2. sora-1 profiles store NULL.
ALTER TABLE profiles_config ADD COLUMN IF NOT EXISTS model VARCHAR(20);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'profiles_config_model_kind') THEN
    ALTER TABLE profiles_config ADD CONSTRAINT profiles_config_model_kind CHECK (model IS NULL OR model IN ('sora-2', 'sora-2-pro'));
  END IF;
END
$$;
