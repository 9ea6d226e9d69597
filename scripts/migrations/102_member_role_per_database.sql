-- Role names belong to the whole server, databases do not. With one default member role for
-- every octo database of a server, `members enable` on database Y reset the password of the role
-- database X's member URL used, and a member of X could connect to Y and sign up there. Now:
--   * octo names the default role after the database (src/db/connection/members.ts);
--   * enabling members refuses a role that already serves another database of the server
--     (holds privileges or owns anything there) unless the owner says it is shared, and a
--     shared role keeps its password;
--   * the member role may connect to its own database only, and a database with members enabled
--     no longer lets PUBLIC connect: every role that holds privileges or owns anything here (the
--     web app's, the owner's) is granted CONNECT first, so only roles with nothing here lose it;
--   * `members disable` drops the role only when it serves no other database, and gives PUBLIC
--     back the CONNECT that enabling took away.

-- The other databases of this server where the role holds a privilege or owns anything.
CREATE OR REPLACE FUNCTION octo_members_role_databases(p_role text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(array_agg(DISTINCT d.datname::text ORDER BY d.datname::text), '{}')
  FROM pg_shdepend s
  JOIN pg_database d ON d.oid = CASE WHEN s.dbid = 0 THEN s.objid ELSE s.dbid END
  WHERE s.refclassid = 'pg_authid'::regclass
    AND s.refobjid = (SELECT r.oid FROM pg_roles r WHERE r.rolname = p_role)
    AND (s.dbid <> 0 OR s.classid = 'pg_database'::regclass)
    AND d.datname <> current_database()
$$;

-- Creates (or re-arms) the member login role. Refuses a role that could bypass the policies, and
-- one that serves another database unless `p_shared`. `p_password` NULL: an existing role keeps
-- its password (a shared role's other URLs keep working). 061's two-argument form is replaced: an
-- older octo calling it gets the refusal too.
DROP FUNCTION IF EXISTS octo_members_role(text, text);
CREATE OR REPLACE FUNCTION octo_members_role(p_role text, p_password text, p_shared boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v record;
  v_others text[];
BEGIN
  SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole INTO v FROM pg_roles r WHERE r.rolname = p_role;
  IF FOUND THEN
    IF v.rolsuper OR v.rolbypassrls OR v.rolcreaterole OR p_role = current_user OR p_role = session_user THEN
      RAISE EXCEPTION 'role % can bypass row-level security or manage roles: choose another --role', p_role;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = p_role)
               AND c.relnamespace = current_schema()::regnamespace) THEN
      RAISE EXCEPTION 'role % owns tables here (an owner is not bound by row-level security): choose another --role', p_role;
    END IF;
    -- Altering the role first locks it: two owners enabling it on two databases at once are
    -- serialized here, and the second sees the first's grants below.
    EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION', p_role);
    v_others := octo_members_role_databases(p_role);
    IF cardinality(v_others) > 0 AND NOT p_shared THEN
      RAISE EXCEPTION 'role % already serves another database of this server: %', p_role, array_to_string(v_others, ', ')
        USING ERRCODE = 'OC001', DETAIL = array_to_string(v_others, ',');
    END IF;
    IF p_password IS NOT NULL THEN
      EXECUTE format('ALTER ROLE %I WITH PASSWORD %L', p_role, p_password);
    END IF;
  ELSIF p_password IS NULL THEN
    RAISE EXCEPTION 'role % does not exist (any more): run the command again without --shared-role', p_role;
  ELSE
    EXECUTE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD %L', p_role, p_password);
  END IF;
END
$$;

-- The member role's way into this database, and nobody else's.
CREATE OR REPLACE FUNCTION octo_members_sync_database(p_role text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_db text := current_database();
  r record;
BEGIN
  IF has_database_privilege('public', v_db, 'CONNECT') THEN
    FOR r IN
      SELECT DISTINCT a.rolname FROM pg_shdepend s JOIN pg_roles a ON a.oid = s.refobjid
      WHERE s.refclassid = 'pg_authid'::regclass AND s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = v_db)
        AND a.rolname <> p_role AND NOT a.rolsuper
      UNION SELECT current_user::name UNION SELECT session_user::name
    LOOP
      EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', v_db, r.rolname);
    END LOOP;
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', v_db);
    -- Recorded only when it took (a role that does not own the database cannot revoke it).
    IF NOT has_database_privilege('public', v_db, 'CONNECT') THEN
      INSERT INTO octo_settings (key, value) VALUES ('members_public_connect', 'revoked') ON CONFLICT (key) DO NOTHING;
    END IF;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', v_db, p_role);
END
$$;

-- Removes the policies and this database's grants; drops the role when it serves no other
-- database; gives PUBLIC back its CONNECT if enabling took it (`db members disable`).
CREATE OR REPLACE FUNCTION octo_members_drop(p_role text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  v_public text;
BEGIN
  FOR t IN SELECT * FROM octo_member_tables() LOOP
    EXECUTE format('DROP POLICY IF EXISTS octo_member ON %s', t.rel);
    EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', t.rel);
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
    IF cardinality(octo_members_role_databases(p_role)) = 0 THEN
      EXECUTE format('DROP OWNED BY %I', p_role);
      EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), p_role);
      EXECUTE format('DROP ROLE %I', p_role);
    ELSE
      -- Still serving another database: DROP OWNED would revoke its CONNECT there too (it takes
      -- privileges on shared objects, databases among them). Only this database's grants go.
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), p_role);
      EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', current_schema(), p_role);
      EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM %I', current_schema(), p_role);
      EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', current_schema(), p_role);
      EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), p_role);
    END IF;
  END IF;
  SELECT s.value INTO v_public FROM octo_settings s WHERE s.key = 'members_public_connect';
  IF v_public = 'revoked' THEN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO PUBLIC', current_database());
    DELETE FROM octo_settings WHERE key = 'members_public_connect';
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION octo_members_functions() RETURNS name[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['octo_login_held_until', 'octo_login_failed', 'octo_token_hash', 'octo_uid', 'octo_password_problem',
               'octo_base64url', 'octo_issue_session', 'octo_password_matches', 'octo_login', 'octo_signup', 'octo_passwd',
               'octo_members_role', 'octo_member_tables', 'octo_members_sync', 'octo_members_drop', 'octo_members_functions',
               'octo_members_resync', 'octo_login_delay_cap', 'octo_login_delay', 'octo_login_wait',
               'octo_pacing_check', 'octo_pacing_take', 'octo_pacing_pause', 'octo_pacing_leave', 'octo_members_callable',
               'octo_members_sync_database', 'octo_members_role_databases']::name[]
$$;

REVOKE ALL ON FUNCTION octo_members_role_databases(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_role(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_sync_database(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_drop(text) FROM PUBLIC;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['octo_members_role_databases(text)', 'octo_members_role(text, text, boolean)', 'octo_members_sync_database(text)',
                           'octo_members_drop(text)', 'octo_members_functions()'] LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
  END LOOP;
END
$$;

-- Where members are enabled, their role may connect here only from now on (in this transaction).
SELECT octo_members_resync();
