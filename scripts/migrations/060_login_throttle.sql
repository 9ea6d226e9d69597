-- Failed logins, counted in the database so the limit holds across machines (issue 12): after 5
-- failures in 15 minutes an email's logins are held back until the oldest of those 5 is 15
-- minutes old. Keyed by the lower-cased email, known account or not, so the hold says nothing
-- about whether an account exists. A successful login clears the email's rows.
CREATE TABLE IF NOT EXISTS octo_login_failures (
  email TEXT NOT NULL,
  failed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_octo_login_failures_email ON octo_login_failures (email, failed_at DESC);

-- When the hold on this email ends, or NULL when it may log in now.
CREATE OR REPLACE FUNCTION octo_login_held_until(p_email text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN count(*) >= 5 THEN min(recent.failed_at) + interval '15 minutes' END
  FROM (
    SELECT f.failed_at FROM octo_login_failures f
    WHERE f.email = p_email AND f.failed_at > now() - interval '15 minutes'
    ORDER BY f.failed_at DESC LIMIT 5
  ) recent
$$;

-- Records one failure (and forgets this email's failures that no longer count).
CREATE OR REPLACE FUNCTION octo_login_failed(p_email text) RETURNS timestamptz
LANGUAGE sql VOLATILE AS $$
  DELETE FROM octo_login_failures WHERE email = p_email AND failed_at <= now() - interval '15 minutes';
  INSERT INTO octo_login_failures (email) VALUES (p_email) RETURNING failed_at;
$$;

REVOKE ALL ON FUNCTION octo_login_held_until(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_login_failed(text) FROM PUBLIC;
