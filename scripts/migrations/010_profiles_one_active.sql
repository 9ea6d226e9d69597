-- Profiles: names unique per user, and at most one active profile per user, as `octo profile`
-- relies on. Rows that break these rules (made before them) are repaired first so the
-- constraints can be built: the most recently updated active profile stays active, and a later
-- duplicate name gets its id's first 8 characters appended.
UPDATE profiles_config p SET is_active = FALSE
WHERE p.is_active AND EXISTS (
  SELECT 1 FROM profiles_config q
  WHERE q.user_id = p.user_id AND q.is_active AND q.id <> p.id
    AND (COALESCE(q.updated_at, q.created_at, '-infinity'), q.id::text) > (COALESCE(p.updated_at, p.created_at, '-infinity'), p.id::text)
);

UPDATE profiles_config p SET name = left(p.name, 240) || ' (' || left(p.id::text, 8) || ')'
WHERE EXISTS (
  SELECT 1 FROM profiles_config q
  WHERE q.user_id = p.user_id AND q.name = p.name AND q.id <> p.id
    AND (COALESCE(q.created_at, '-infinity'), q.id::text) < (COALESCE(p.created_at, '-infinity'), p.id::text)
);

CREATE UNIQUE INDEX IF NOT EXISTS profiles_config_user_name ON profiles_config(user_id, name);

-- Deferred, not a partial unique index: `profile use` switches in ONE statement
-- (SET is_active = (name = $n)), and a unique index is checked row by row, so it would reject
-- that statement whenever it reaches the new active row before the old one. Checked at commit.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'profiles_config_one_active') THEN
    ALTER TABLE profiles_config ADD CONSTRAINT profiles_config_one_active
      EXCLUDE USING btree (user_id WITH =) WHERE (is_active) DEFERRABLE INITIALLY DEFERRED;
  END IF;
END
$$;
