-- A pacer row was keyed by the owner string its process chose (host:pid:random). A member role
-- could call octo_pacing_take with another process's owner string and replace that process's pace
-- with a laxer one: the strictest pace in force dropped, and the resource's window could take more
-- creates than the service's quota (a 429 for everyone, for up to two minutes). The row is now
-- keyed by the calling role as well, so each role only ever renews its own processes' rows.
-- As in 101, but for v_owner.

CREATE OR REPLACE FUNCTION octo_pacing_take(p_resource text, p_owner text, p_pace integer, p_window_ms double precision)
RETURNS TABLE (granted boolean, creates_per_minute integer, paused_ms double precision, window_ms double precision)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  v_pace integer := CASE WHEN p_pace >= 1 THEN LEAST(p_pace, 10000) END;
  v_window interval := LEAST(GREATEST(COALESCE(p_window_ms, 61200), 100), 120000) * interval '1 millisecond';
  v_recent timestamptz[];
  v_paused timestamptz;
  -- Keyed by the calling role too: a member naming another process's owner string makes a row of
  -- its own, never replaces that process's pace (a laxer one would let the window overfill).
  v_owner text := session_user || '/' || p_owner;
BEGIN
  PERFORM octo_pacing_check(p_resource, p_owner);
  INSERT INTO octo_create_pacing (resource) VALUES (p_resource) ON CONFLICT (resource) DO NOTHING;
  INSERT INTO octo_create_pacers AS c (resource, owner, creates_per_minute, seen_at) VALUES (p_resource, v_owner, v_pace, clock_timestamp())
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

