-- Members (issue 11): what `octo db members enable` switches on. Postgres itself decides what a
-- member role sees: row-level security keyed on the session the statement carries, and SECURITY
-- DEFINER functions for what a member may not do directly (read password hashes, write sessions).
-- Nothing here changes anything for the owner: policies and grants are installed only by
-- octo_members_sync(role), which `db members enable` runs and `db migrate` re-runs, so tables
-- added by later migrations are covered too. Every function is revoked from PUBLIC at once.
--
-- Table access for members, decided per table by octo_members_sync (first match wins):
--   a table comment containing "octo-members: own|shared|read|none" says so explicitly;
--   users (own row, no password_hash), sessions (own rows: read, delete), schema_migrations (read),
--   octo_settings and octo_login_failures (none), octo_create_pacing (shared: per Azure resource);
--   any other table with a user_id column: own rows only; anything else: none.
-- Only octo's tables are touched: the web app's five, schema_migrations and octo_* ones.

-- The session token the statement carries (set_config('octo.token', token, ...)), hashed the way
-- the sessions table stores it; NULL without one.
CREATE OR REPLACE FUNCTION octo_token_hash() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(NULLIF(current_setting('octo.token', true), ''), 'UTF8')), 'hex')
$$;

-- The user whose live session the statement carries, or NULL. Policies call it once per
-- statement as (SELECT octo_uid()); it reads sessions as the owner, so it needs no policy itself.
CREATE OR REPLACE FUNCTION octo_uid() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT s.user_id FROM sessions s WHERE s.token_hash = octo_token_hash() AND s.expires_at > now() LIMIT 1
$$;

-- Why a new password is refused, or NULL (the same rules as src/auth/password.ts).
CREATE OR REPLACE FUNCTION octo_password_problem(p_password text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_password IS NULL OR btrim(p_password, E' \t\r\n\f\v') = '' THEN 'blank'
    WHEN char_length(p_password) < 8 THEN 'short'
    WHEN octet_length(p_password) > 72 THEN 'too_long'
  END
$$;

CREATE OR REPLACE FUNCTION octo_base64url(p_bytes bytea) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT translate(encode(p_bytes, 'base64'), E'+/=\n', '-_')
$$;

-- Signs an HS256 JWT exactly as octo and the web app do (claims sub/userId, sid, email; issuer
-- octo; 7 days) with the database's secret, which members never see, and records its session.
CREATE OR REPLACE FUNCTION octo_issue_session(p_user uuid, p_email text, p_user_agent text)
RETURNS TABLE (session_token text, session_expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_sid uuid := gen_random_uuid();
  v_iat bigint := floor(extract(epoch FROM now()));
  v_exp bigint := floor(extract(epoch FROM now())) + 7 * 24 * 60 * 60;
  v_secret text;
  v_body text;
BEGIN
  SELECT s.value INTO v_secret FROM octo_settings s WHERE s.key = 'jwt_secret';
  IF v_secret IS NULL THEN
    RAISE EXCEPTION 'this database has no JWT secret yet' USING HINT = 'the owner runs: octo db migrate';
  END IF;
  v_body := 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' || octo_base64url(convert_to(json_build_object(
    'userId', p_user, 'sid', v_sid, 'email', p_email, 'sub', p_user, 'iss', 'octo', 'iat', v_iat, 'exp', v_exp)::text, 'UTF8'));
  session_token := v_body || '.' || octo_base64url(hmac(convert_to(v_body, 'UTF8'), convert_to(v_secret, 'UTF8'), 'sha256'));
  session_expires_at := to_timestamp(v_exp);
  INSERT INTO sessions (id, user_id, token_hash, expires_at, user_agent)
  VALUES (v_sid, p_user, encode(sha256(convert_to(session_token, 'UTF8')), 'hex'), session_expires_at, left(p_user_agent, 500));
  RETURN NEXT;
END
$$;

-- bcrypt through pgcrypto: crypt() takes the $2a$ form of the $2b$/$2y$ hashes bcryptjs writes
-- (the same algorithm for passwords of at most 72 bytes, which is all that is accepted).
CREATE OR REPLACE FUNCTION octo_password_matches(p_password text, p_hash text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_hash text := CASE WHEN p_hash ~ '^\$2[aby]\$\d\d\$.{53}$' THEN '$2a$' || substr(p_hash, 5) END;
BEGIN
  IF v_hash IS NULL THEN
    -- No such user or an unknown scheme: spend the same time, then fail.
    PERFORM crypt(p_password, '$2a$12$KxJuRO.ha8oU09Xj2iEmjOBldsVWIdlaq2QM/dLmXZIm417qRenZC');
    RETURN false;
  END IF;
  RETURN crypt(p_password, v_hash) = v_hash;
END
$$;

-- Login for members. Returns a status instead of raising, so a failure is recorded (a raise
-- would roll the record back): ok | wrong | held | too_long | argon2.
CREATE OR REPLACE FUNCTION octo_login(p_email text, p_password text, p_user_agent text)
RETURNS TABLE (status text, session_token text, session_expires_at timestamptz, user_id uuid, user_email text, user_name text, held_until timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_email text := lower(btrim(p_email));
  v_user record;
  v_found boolean;
BEGIN
  held_until := octo_login_held_until(v_email);
  IF held_until IS NOT NULL THEN status := 'held'; RETURN NEXT; RETURN; END IF;
  IF octet_length(p_password) > 72 THEN status := 'too_long'; RETURN NEXT; RETURN; END IF;
  SELECT u.id, u.email, u.name, u.password_hash INTO v_user
  FROM users u WHERE lower(u.email) = v_email ORDER BY (u.email = v_email) DESC LIMIT 1;
  v_found := FOUND;
  IF v_found AND v_user.password_hash LIKE '$argon2%' THEN status := 'argon2'; RETURN NEXT; RETURN; END IF;
  IF NOT octo_password_matches(p_password, CASE WHEN v_found THEN v_user.password_hash END) THEN
    held_until := CASE WHEN octo_login_failed(v_email) IS NOT NULL THEN octo_login_held_until(v_email) END;
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

-- Signup for members: ok | taken | blank | short | too_long | bad_email.
CREATE OR REPLACE FUNCTION octo_signup(p_email text, p_name text, p_password text, p_user_agent text)
RETURNS TABLE (status text, session_token text, session_expires_at timestamptz, user_id uuid, user_email text, user_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_email text := lower(btrim(p_email));
  v_user record;
BEGIN
  status := octo_password_problem(p_password);
  IF status IS NOT NULL THEN RETURN NEXT; RETURN; END IF;
  IF v_email !~ '^[^\s@]+@[^\s@]+$' OR char_length(v_email) > 255 THEN status := 'bad_email'; RETURN NEXT; RETURN; END IF;
  BEGIN
    INSERT INTO users (email, password_hash, name)
    SELECT v_email, crypt(p_password, gen_salt('bf', 12)), NULLIF(btrim(p_name), '')
    WHERE NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = v_email)
    RETURNING id, email, name INTO v_user;
  EXCEPTION WHEN unique_violation THEN
    status := 'taken'; RETURN NEXT; RETURN;
  END;
  IF v_user.id IS NULL THEN status := 'taken'; RETURN NEXT; RETURN; END IF;
  SELECT i.session_token, i.session_expires_at INTO session_token, session_expires_at
  FROM octo_issue_session(v_user.id, v_user.email, p_user_agent) i;
  status := 'ok'; user_id := v_user.id; user_email := v_user.email; user_name := v_user.name;
  RETURN NEXT;
END
$$;

-- passwd for members, as the session the statement carries: ok | no_session | wrong | held |
-- argon2 | blank | short | too_long. Ends every other session of the user.
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
  held_until := octo_login_held_until(lower(v_user.email));
  IF held_until IS NOT NULL THEN status := 'held'; RETURN NEXT; RETURN; END IF;
  IF v_user.password_hash LIKE '$argon2%' THEN status := 'argon2'; RETURN NEXT; RETURN; END IF;
  IF octet_length(p_current) > 72 OR NOT octo_password_matches(p_current, v_user.password_hash) THEN
    PERFORM octo_login_failed(lower(v_user.email));
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

-- Creates (or re-arms) the member login role. Refuses a role that could bypass the policies.
CREATE OR REPLACE FUNCTION octo_members_role(p_role text, p_password text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v record;
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
    EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD %L', p_role, p_password);
  ELSE
    EXECUTE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD %L', p_role, p_password);
  END IF;
END
$$;

-- The tables octo and the web app own here.
CREATE OR REPLACE FUNCTION octo_member_tables() RETURNS TABLE (rel regclass, relname name, access text)
LANGUAGE sql STABLE AS $$
  SELECT c.oid::regclass, c.relname,
    COALESCE(
      substring(obj_description(c.oid, 'pg_class') FROM 'octo-members:\s*(own|shared|read|none)'),
      CASE
        WHEN c.relname = 'users' THEN 'users'
        WHEN c.relname = 'sessions' THEN 'sessions'
        WHEN c.relname = 'schema_migrations' THEN 'read'
        WHEN c.relname IN ('octo_settings', 'octo_login_failures') THEN 'none'
        WHEN c.relname = 'octo_create_pacing' THEN 'shared'
        WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'user_id' AND NOT a.attisdropped) THEN 'own'
        ELSE 'none'
      END)
  FROM pg_class c
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
    AND (c.relname IN ('users', 'sessions', 'profiles_config', 'video_metadata', 'video_generations', 'schema_migrations')
         OR c.relname LIKE 'octo\_%')
$$;

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
           WHERE p.pronamespace = v_schema::regnamespace AND p.proname LIKE 'octo\_%' LOOP
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
      EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %s TO %I', t.rel, p_role);
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

-- Removes the policies, the grants and the role (`db members disable`).
CREATE OR REPLACE FUNCTION octo_members_drop(p_role text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM octo_member_tables() LOOP
    EXECUTE format('DROP POLICY IF EXISTS octo_member ON %s', t.rel);
    EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', t.rel);
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
    EXECUTE format('DROP OWNED BY %I', p_role);
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), p_role);
    EXECUTE format('DROP ROLE %I', p_role);
  END IF;
END
$$;

REVOKE ALL ON FUNCTION octo_token_hash() FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_uid() FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_password_problem(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_base64url(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_issue_session(uuid, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_password_matches(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_login(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_signup(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_passwd(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_role(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_member_tables() FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_sync(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION octo_members_drop(text) FROM PUBLIC;

-- Pinned now for the definer functions (octo_members_sync adds pgcrypto's schema when enabled).
DO $$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
           WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'octo\_%' LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f.sig, current_schema());
  END LOOP;
END
$$;
