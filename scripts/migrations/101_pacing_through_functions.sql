-- The create pacing per Azure resource (050) was a table every member could write: one
-- `UPDATE octo_create_pacing SET paused_until = now() + interval '1 year'` stopped every member's
-- creates on every resource, and a pacer row with a pace of 1 a minute and `seen_at` a year ahead
-- slowed them all the same way. Members now only read these tables; every process (the owner's
-- too) changes them through the functions below, which take a resource and bounded values:
--   * a pause (a 429's Retry-After) of at most 5 minutes, the longest Retry-After octo's client
--     obeys, and a pause never reaches past 5 minutes from now, however often it is asked for;
--   * a pace of 1 to 10,000 creates a minute (anything else: unpaced);
--   * `seen_at` is always the database's clock, never the caller's;
--   * the quota window (61.2 s; tests shorten it) between 0.1 s and 2 minutes.
-- A member can still ask for a strict pace on a resource it uses, as any octo process may; it
-- lasts two minutes after its last create turn.

CREATE OR REPLACE FUNCTION octo_pacing_check(p_resource text, p_owner text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_resource IS NULL OR char_length(p_resource) NOT BETWEEN 1 AND 600 OR p_owner IS NULL OR char_length(p_owner) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'not a resource and owner octo paces' USING ERRCODE = '22023';
  END IF;
END
$$;

-- Takes a create place on the resource if one is free, in one statement (nothing is held between
-- round trips). `p_pace`: this process's creates per minute (NULL or below 1: unpaced).
CREATE OR REPLACE FUNCTION octo_pacing_take(p_resource text, p_owner text, p_pace integer, p_window_ms double precision)
RETURNS TABLE (granted boolean, creates_per_minute integer, paused_ms double precision, window_ms double precision)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_pace integer := CASE WHEN p_pace >= 1 THEN LEAST(p_pace, 10000) END;
  v_window interval := LEAST(GREATEST(COALESCE(p_window_ms, 61200), 100), 120000) * interval '1 millisecond';
  v_recent timestamptz[];
  v_paused timestamptz;
BEGIN
  PERFORM octo_pacing_check(p_resource, p_owner);
  INSERT INTO octo_create_pacing (resource) VALUES (p_resource) ON CONFLICT (resource) DO NOTHING;
  INSERT INTO octo_create_pacers AS c (resource, owner, creates_per_minute, seen_at) VALUES (p_resource, p_owner, v_pace, clock_timestamp())
  ON CONFLICT (resource, owner) DO UPDATE SET creates_per_minute = EXCLUDED.creates_per_minute, seen_at = EXCLUDED.seen_at;
  -- The strictest pace of the processes seen in the last two minutes applies to all of them.
  SELECT min(c.creates_per_minute) INTO creates_per_minute FROM octo_create_pacers c
  WHERE c.resource = p_resource AND c.seen_at > clock_timestamp() - interval '2 minutes';
  -- The row lock makes two takers of the last place impossible.
  UPDATE octo_create_pacing p
     SET recent = ARRAY(SELECT t FROM unnest(p.recent) t WHERE t > clock_timestamp() - v_window ORDER BY t) || clock_timestamp(),
         creates_per_minute = octo_pacing_take.creates_per_minute, creates = p.creates + 1, updated_at = clock_timestamp()
   WHERE p.resource = p_resource AND (p.paused_until IS NULL OR p.paused_until <= clock_timestamp())
     AND (COALESCE(octo_pacing_take.creates_per_minute, 0) <= 0
          OR (SELECT count(*) FROM unnest(p.recent) t WHERE t > clock_timestamp() - v_window) < octo_pacing_take.creates_per_minute);
  granted := FOUND;
  SELECT ARRAY(SELECT t FROM unnest(p.recent) t WHERE t > clock_timestamp() - v_window ORDER BY t), p.paused_until
    INTO v_recent, v_paused FROM octo_create_pacing p WHERE p.resource = p_resource;
  paused_ms := GREATEST(0, EXTRACT(EPOCH FROM (COALESCE(v_paused, clock_timestamp()) - clock_timestamp())) * 1000);
  window_ms := CASE WHEN COALESCE(creates_per_minute, 0) > 0 AND cardinality(v_recent) >= creates_per_minute
                    THEN GREATEST(0, EXTRACT(EPOCH FROM (v_recent[cardinality(v_recent) - creates_per_minute + 1] + v_window - clock_timestamp())) * 1000)
                    ELSE 0 END;
  RETURN NEXT;
END
$$;

-- A 429 on the resource: every process pauses its creates there for `p_ms` (at most 5 minutes).
-- Returns when the pause ends.
CREATE OR REPLACE FUNCTION octo_pacing_pause(p_resource text, p_ms double precision) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_until timestamptz := clock_timestamp() + LEAST(GREATEST(COALESCE(p_ms, 0), 0), 300000) * interval '1 millisecond';
BEGIN
  PERFORM octo_pacing_check(p_resource, 'pause');
  INSERT INTO octo_create_pacing AS p (resource, paused_until, rate_limited) VALUES (p_resource, v_until, 1)
  ON CONFLICT (resource) DO UPDATE
    SET paused_until = LEAST(GREATEST(COALESCE(p.paused_until, EXCLUDED.paused_until), EXCLUDED.paused_until), clock_timestamp() + interval '5 minutes'),
        rate_limited = p.rate_limited + 1, updated_at = clock_timestamp()
  RETURNING p.paused_until INTO v_until;
  RETURN v_until;
END
$$;

-- Forgets the pacers nobody has renewed for two minutes (the dead's too).
CREATE OR REPLACE FUNCTION octo_pacing_leave() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER AS $$
  DELETE FROM octo_create_pacers WHERE seen_at <= clock_timestamp() - interval '2 minutes'
$$;

-- What a member already wrote stops counting at once: no pause past 5 minutes, no pacer in the future.
UPDATE octo_create_pacing SET paused_until = clock_timestamp() + interval '5 minutes' WHERE paused_until > clock_timestamp() + interval '5 minutes';
UPDATE octo_create_pacers SET seen_at = clock_timestamp() WHERE seen_at > clock_timestamp();

COMMENT ON TABLE octo_create_pacing IS 'octo-members: read (one create quota per Azure resource; written through octo_pacing_take and octo_pacing_pause)';
COMMENT ON TABLE octo_create_pacers IS 'octo-members: read (the pace each octo process asks for on a resource; written through octo_pacing_take)';

-- The functions a member role may call (octo_members_sync grants them).
CREATE OR REPLACE FUNCTION octo_members_callable() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['octo_uid()', 'octo_login(text, text, text)', 'octo_signup(text, text, text, text)', 'octo_passwd(text, text)',
               'octo_pacing_take(text, text, integer, double precision)', 'octo_pacing_pause(text, double precision)', 'octo_pacing_leave()']
$$;

-- The member role's way into this database.
CREATE OR REPLACE FUNCTION octo_members_sync_database(p_role text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), p_role);
END
$$;

CREATE OR REPLACE FUNCTION octo_members_functions() RETURNS name[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['octo_login_held_until', 'octo_login_failed', 'octo_token_hash', 'octo_uid', 'octo_password_problem',
               'octo_base64url', 'octo_issue_session', 'octo_password_matches', 'octo_login', 'octo_signup', 'octo_passwd',
               'octo_members_role', 'octo_member_tables', 'octo_members_sync', 'octo_members_drop', 'octo_members_functions',
               'octo_members_resync', 'octo_login_delay_cap', 'octo_login_delay', 'octo_login_wait',
               'octo_pacing_check', 'octo_pacing_take', 'octo_pacing_pause', 'octo_pacing_leave', 'octo_members_callable',
               'octo_members_sync_database']::name[]
$$;

-- As in 062, but the functions a member may call are octo_members_callable()'s, and the way into
-- the database is octo_members_sync_database's. Safe to run any number of times; returns the
-- number of tables under row-level security.
CREATE OR REPLACE FUNCTION octo_members_sync(p_role text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_schema text := current_schema();
  v_crypto text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgcrypto');
  v_path text;
  v_uid text := format('(SELECT %I.octo_uid())', current_schema());
  v_sig text;
  t record;
  f record;
  s record;
  n integer := 0;
BEGIN
  IF v_crypto IS NULL THEN RAISE EXCEPTION 'pgcrypto is not installed in this database'; END IF;
  v_path := CASE WHEN v_crypto = v_schema THEN format('%I, pg_temp', v_schema) ELSE format('%I, %I, pg_temp', v_schema, v_crypto) END;
  -- A member's own objects (a temporary table named sessions, an overload of crypt) can never
  -- stand in for what octo's functions use: their search_path is pinned, pg_temp last.
  FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
           WHERE p.pronamespace = v_schema::regnamespace AND p.proname = ANY (octo_members_functions()) LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %s', f.sig, v_path);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.sig);
  END LOOP;
  IF has_schema_privilege('public', v_schema, 'CREATE') THEN
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', v_schema);
  END IF;
  PERFORM octo_members_sync_database(p_role);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', v_schema, p_role);
  FOREACH v_sig IN ARRAY octo_members_callable() LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', v_sig, p_role);
  END LOOP;

  FOR t IN SELECT * FROM octo_member_tables() LOOP
    n := n + 1;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t.rel);
    EXECUTE format('DROP POLICY IF EXISTS octo_member ON %s', t.rel);
    EXECUTE format('REVOKE ALL ON %s FROM %I', t.rel, p_role);
    IF t.access = 'users' THEN
      EXECUTE format('GRANT SELECT (id, email, name, email_verified, created_at, updated_at) ON %s TO %I', t.rel, p_role);
      EXECUTE format('CREATE POLICY octo_member ON %s FOR SELECT TO %I USING (id = %s)', t.rel, p_role, v_uid);
    ELSIF t.access = 'sessions' THEN
      EXECUTE format('GRANT SELECT, DELETE ON %s TO %I', t.rel, p_role);
      EXECUTE format('CREATE POLICY octo_member ON %s FOR ALL TO %I USING (user_id = %s)', t.rel, p_role, v_uid);
    ELSIF t.access = 'read' THEN
      EXECUTE format('GRANT SELECT ON %s TO %I', t.rel, p_role);
      EXECUTE format('CREATE POLICY octo_member ON %s FOR SELECT TO %I USING (true)', t.rel, p_role);
    ELSIF t.access = 'shared' THEN
      -- Coordination rows of no user that every member may write (a later migration declares them).
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t.rel, p_role);
      EXECUTE format('CREATE POLICY octo_member ON %s FOR ALL TO %I USING (true) WITH CHECK (true)', t.rel, p_role);
    ELSIF t.access = 'own' THEN
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t.rel, p_role);
      EXECUTE format('CREATE POLICY octo_member ON %s FOR ALL TO %I USING (user_id = %s) WITH CHECK (user_id = %s)', t.rel, p_role, v_uid, v_uid);
    END IF;
    IF t.access IN ('shared', 'own') THEN
      FOR s IN SELECT pg_get_serial_sequence(t.rel::text, a.attname) AS seq FROM pg_attribute a
               WHERE a.attrelid = t.rel AND a.attnum > 0 AND NOT a.attisdropped
                 AND pg_get_serial_sequence(t.rel::text, a.attname) IS NOT NULL LOOP
        EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', s.seq, p_role);
      END LOOP;
    END IF;
  END LOOP;
  RETURN n;
END
$$;

REVOKE ALL ON FUNCTION octo_pacing_check(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_pacing_take(text, text, integer, double precision) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_pacing_pause(text, double precision) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_pacing_leave() FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_callable() FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_sync_database(text) FROM PUBLIC;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['octo_pacing_check(text, text)', 'octo_pacing_take(text, text, integer, double precision)',
                           'octo_pacing_pause(text, double precision)', 'octo_pacing_leave()', 'octo_members_callable()',
                           'octo_members_sync_database(text)', 'octo_members_functions()', 'octo_members_sync(text)'] LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
  END LOOP;
END
$$;

-- Where members are enabled, they lose their writes on the pacing tables and gain the functions
-- in the same transaction: no moment where neither works.
SELECT octo_members_resync();
