-- Members, continued: octo_members_sync touches only the members' own functions, and shared
-- tables (declared `octo-members: shared`) may also be swept by members (DELETE).
CREATE OR REPLACE FUNCTION octo_members_functions() RETURNS name[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['octo_login_held_until', 'octo_login_failed', 'octo_token_hash', 'octo_uid', 'octo_password_problem',
               'octo_base64url', 'octo_issue_session', 'octo_password_matches', 'octo_login', 'octo_signup', 'octo_passwd',
               'octo_members_role', 'octo_member_tables', 'octo_members_sync', 'octo_members_drop', 'octo_members_functions',
               'octo_members_resync']::name[]
$$;
REVOKE ALL ON FUNCTION octo_members_functions() FROM PUBLIC;

-- What `db migrate` runs after the migrations: the policies again for the recorded member role.
-- The role is read by a statement of its own, which has closed octo_settings by the time the
-- sync alters it (one statement that scans the table and alters it is refused).
CREATE OR REPLACE FUNCTION octo_members_resync() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_role text;
BEGIN
  SELECT s.value INTO v_role FROM octo_settings s WHERE s.key = 'members_role';
  IF v_role IS NOT NULL THEN
    PERFORM octo_members_sync(v_role);
  END IF;
  RETURN v_role;
END
$$;
REVOKE ALL ON FUNCTION octo_members_resync() FROM PUBLIC;

-- As in 061, but it pins and revokes only the functions listed above: functions that other
-- migrations add (SECURITY INVOKER ones a member may call under the policies) keep their grants.
-- Installs (again) everything a member role needs and nothing more; safe to run any number of
-- times. Returns the number of tables under row-level security.
CREATE OR REPLACE FUNCTION octo_members_sync(p_role text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_schema text := current_schema();
  v_crypto text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgcrypto');
  v_path text;
  v_uid text := format('(SELECT %I.octo_uid())', current_schema());
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
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), p_role);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', v_schema, p_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION octo_uid(), octo_login(text, text, text), octo_signup(text, text, text, text), octo_passwd(text, text) TO %I', p_role);

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
      -- Coordination rows every member already writes (pacing per Azure resource): sweeping stale
      -- ones is part of that, so delete too.
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


DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION octo_members_functions() SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_members_sync(text) SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION octo_members_resync() SET search_path = %I, pg_temp', current_schema());
END
$$;
