-- Failed logins slow the next attempts down instead of locking the email out. 060 held an email's
-- logins for 15 minutes after 5 failures, which anyone holding the member URL could repeat
-- forever: the owner of the email could never log in. Now:
--   * after the 3rd failure in 15 minutes an attempt waits 1 s before its password is checked,
--     then 2, 4, 8, 16 s, and never more than 30 s, however many failures there are;
--   * counted per email and, where the server sees one (inet_client_addr(): TCP, not a Unix
--     socket), per source address across emails (one address trying many emails);
--   * an attempt waits out the delay it finds when it arrives and is then checked, whatever
--     failures arrive meanwhile: the right password is admitted within the cap, whatever an
--     attacker keeps doing. (An attempt turned away instead could be starved by an attacker who
--     always fails first; in exchange, attempts made in parallel are each checked after their
--     wait, so a parallel guesser is bounded by the connections the server allows.)
--   * a success forgets the email's failures.
-- The embedded database has no throttle at all (whoever reaches it can read its files): octo skips
-- these functions there.

ALTER TABLE octo_login_failures ADD COLUMN IF NOT EXISTS source inet;
CREATE INDEX IF NOT EXISTS idx_octo_login_failures_source ON octo_login_failures (source, failed_at DESC) WHERE source IS NOT NULL;

-- The longest wait: 30 s, or less when the owner sets octo_settings 'login_delay_cap_ms' (tests
-- shorten it); never more.
CREATE OR REPLACE FUNCTION octo_login_delay_cap() RETURNS interval
LANGUAGE sql STABLE AS $$
  SELECT LEAST(30000, COALESCE((SELECT s.value::integer FROM octo_settings s WHERE s.key = 'login_delay_cap_ms' AND s.value ~ '^\d{1,6}$'), 30000))
         * interval '1 millisecond'
$$;

-- The wait after `n` recent failures: none for the first two (typing mistakes), then doubling.
CREATE OR REPLACE FUNCTION octo_login_delay(p_failures bigint) RETURNS interval
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_failures < 3 THEN interval '0'
              ELSE LEAST(octo_login_delay_cap(), power(2, LEAST(p_failures - 3, 16)) * interval '1 second') END
$$;

-- When an attempt for this email from this connection's address may be checked, or NULL: now.
-- (The name is 060's: octo's owner path and older octo versions call it.)
CREATE OR REPLACE FUNCTION octo_login_held_until(p_email text) RETURNS timestamptz
LANGUAGE sql VOLATILE AS $$
  WITH by_email AS (
    SELECT count(*) AS n, max(f.failed_at) AS last FROM (
      SELECT failed_at FROM octo_login_failures
      WHERE email = p_email AND failed_at > clock_timestamp() - interval '15 minutes' ORDER BY failed_at DESC LIMIT 20) f
  ), by_source AS (
    SELECT count(*) AS n, max(f.failed_at) AS last FROM (
      SELECT failed_at FROM octo_login_failures
      WHERE source = inet_client_addr() AND failed_at > clock_timestamp() - interval '15 minutes' ORDER BY failed_at DESC LIMIT 20) f
  ), hold AS (
    SELECT GREATEST(e.last + octo_login_delay(e.n), s.last + octo_login_delay(s.n)) AS until FROM by_email e, by_source s
  )
  SELECT CASE WHEN until > clock_timestamp() THEN until END FROM hold
$$;

-- Records one failure from this connection's address (and forgets failures that no longer count).
-- Returns when the next attempt may be checked (NULL: at once).
CREATE OR REPLACE FUNCTION octo_login_failed(p_email text) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  DELETE FROM octo_login_failures
  WHERE failed_at <= clock_timestamp() - interval '15 minutes' AND (email = p_email OR source = inet_client_addr());
  INSERT INTO octo_login_failures (email, source, failed_at) VALUES (p_email, inet_client_addr(), clock_timestamp());
  RETURN octo_login_held_until(p_email);
END
$$;

-- Waits out this email's delay as it stands now (at most the cap; later failures do not lengthen
-- it), in the database: the caller cannot skip it.
CREATE OR REPLACE FUNCTION octo_login_wait(p_email text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_until timestamptz := octo_login_held_until(p_email);
BEGIN
  IF v_until > clock_timestamp() THEN
    PERFORM pg_sleep(extract(epoch FROM LEAST(v_until - clock_timestamp(), octo_login_delay_cap())));
  END IF;
END
$$;

-- Login for members: ok | wrong | too_long | argon2 ('held' is no longer answered). `held_until`
-- with 'wrong': when the next attempt for this email will be checked.
CREATE OR REPLACE FUNCTION octo_login(p_email text, p_password text, p_user_agent text)
RETURNS TABLE (status text, session_token text, session_expires_at timestamptz, user_id uuid, user_email text, user_name text, held_until timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_email text := lower(btrim(p_email));
  v_user record;
  v_found boolean;
BEGIN
  -- Nothing is checked for a password bcrypt cannot take in full, so there is nothing to slow.
  IF octet_length(p_password) > 72 THEN status := 'too_long'; RETURN NEXT; RETURN; END IF;
  PERFORM octo_login_wait(v_email);
  SELECT u.id, u.email, u.name, u.password_hash INTO v_user
  FROM users u WHERE lower(u.email) = v_email ORDER BY (u.email = v_email) DESC LIMIT 1;
  v_found := FOUND;
  IF v_found AND v_user.password_hash LIKE '$argon2%' THEN status := 'argon2'; RETURN NEXT; RETURN; END IF;
  IF NOT octo_password_matches(p_password, CASE WHEN v_found THEN v_user.password_hash END) THEN
    held_until := octo_login_failed(v_email);
    status := 'wrong'; RETURN NEXT; RETURN;
  END IF;
  DELETE FROM octo_login_failures f WHERE f.email = v_email;
  -- The session this connection carried (the one this machine held before) ends.
  DELETE FROM sessions s WHERE s.token_hash = octo_token_hash();
  SELECT i.session_token, i.session_expires_at INTO session_token, session_expires_at
  FROM octo_issue_session(v_user.id, v_user.email, p_user_agent) i;
  status := 'ok'; user_id := v_user.id; user_email := v_user.email; user_name := v_user.name;
  RETURN NEXT;
END
$$;

-- passwd for members, as the session the statement carries: ok | no_session | wrong | argon2 |
-- blank | short | too_long. The current password waits out the account's delay like a login.
-- Ends every other session of the user.
CREATE OR REPLACE FUNCTION octo_passwd(p_current text, p_new text)
RETURNS TABLE (status text, sessions_ended integer, held_until timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_uid uuid := octo_uid();
  v_user record;
BEGIN
  sessions_ended := 0;
  IF v_uid IS NULL THEN status := 'no_session'; RETURN NEXT; RETURN; END IF;
  SELECT u.email, u.password_hash INTO v_user FROM users u WHERE u.id = v_uid;
  IF v_user.password_hash LIKE '$argon2%' THEN status := 'argon2'; RETURN NEXT; RETURN; END IF;
  IF octet_length(p_current) > 72 THEN status := 'wrong'; RETURN NEXT; RETURN; END IF;
  PERFORM octo_login_wait(lower(v_user.email));
  IF NOT octo_password_matches(p_current, v_user.password_hash) THEN
    held_until := octo_login_failed(lower(v_user.email));
    status := 'wrong'; RETURN NEXT; RETURN;
  END IF;
  status := octo_password_problem(p_new);
  IF status IS NOT NULL THEN RETURN NEXT; RETURN; END IF;
  UPDATE users u SET password_hash = crypt(p_new, gen_salt('bf', 12)), updated_at = now() WHERE u.id = v_uid;
  DELETE FROM sessions s WHERE s.user_id = v_uid AND s.token_hash IS DISTINCT FROM octo_token_hash();
  GET DIAGNOSTICS sessions_ended = ROW_COUNT;
  status := 'ok'; RETURN NEXT;
END
$$;

-- octo_members_sync pins and revokes these (062): the list, with this migration's functions.
CREATE OR REPLACE FUNCTION octo_members_functions() RETURNS name[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['octo_login_held_until', 'octo_login_failed', 'octo_token_hash', 'octo_uid', 'octo_password_problem',
               'octo_base64url', 'octo_issue_session', 'octo_password_matches', 'octo_login', 'octo_signup', 'octo_passwd',
               'octo_members_role', 'octo_member_tables', 'octo_members_sync', 'octo_members_drop', 'octo_members_functions',
               'octo_members_resync', 'octo_login_delay_cap', 'octo_login_delay', 'octo_login_wait']::name[]
$$;

REVOKE ALL ON FUNCTION octo_login_delay_cap() FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_login_delay(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_login_held_until(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_login_failed(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_login_wait(text) FROM PUBLIC;

-- Pinned now (the member sync adds pgcrypto's schema where members are enabled, below).
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION octo_login_delay_cap() SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_login_delay(bigint) SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_login_held_until(text) SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_login_failed(text) SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_login_wait(text) SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_members_functions() SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_login(text, text, text) SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_passwd(text, text) SET search_path = %I, pg_temp', current_schema());
END
$$;

-- Where members are enabled, pin them again with pgcrypto's schema in the same transaction (a
-- replaced function loses its pinned search_path).
SELECT octo_members_resync();
