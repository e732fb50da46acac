-- Alert history for analysts (issue 20): what fires now, each rule's alerts over a range, how long
-- alerts took to resolve, and the keys that flap. SQL functions over `alerts`, SECURITY INVOKER
-- (the default, stated): they read as the caller, so the analyst's row-level security applies and
-- an analyst sees only the organization of the session (hourglass.organization_id), whatever
-- organization the call names. Ranges are half-open on window_start, the hour the alert is about.

-- FIRING alerts without their RESOLVED: what is firing now, oldest first.
CREATE FUNCTION alerts_firing_now(p_organization_id uuid)
RETURNS TABLE (
    alert_id uuid, rule text, severity text, entity_type text, entity_key text,
    window_start timestamptz, observed_value double precision, threshold double precision,
    fired_at timestamptz, correction_late_ms bigint, firing_for interval)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
    SELECT f.alert_id, f.rule, f.severity, f.entity_type, f.entity_key, f.window_start,
           f.observed_value, f.threshold, f.fired_at, f.correction_late_ms, now() - f.fired_at
    FROM alerts f
    WHERE f.organization_id = p_organization_id AND f.state = 'FIRING'
      AND NOT EXISTS (
          SELECT 1 FROM alerts r
          WHERE r.state = 'RESOLVED' AND r.rule = f.rule AND r.organization_id = f.organization_id
            AND r.entity_type = f.entity_type AND r.entity_key = f.entity_key
            AND r.window_start = f.window_start)
    ORDER BY f.fired_at, f.rule, f.entity_key
$$;

-- Per rule, for hours in [p_from, p_to): hours that fired, of which resolved and still firing,
-- those fired by a correction (a late event), and the distinct keys.
CREATE FUNCTION alert_summary(p_organization_id uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (
    rule text, severity text, fired bigint, resolved bigint, still_firing bigint,
    fired_by_correction bigint, keys bigint)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
    SELECT f.rule, max(f.severity), count(*), count(r.alert_id), count(*) - count(r.alert_id),
           count(*) FILTER (WHERE f.correction_late_ms IS NOT NULL),
           count(DISTINCT (f.entity_type, f.entity_key))
    FROM alerts f
    LEFT JOIN alerts r
      ON r.state = 'RESOLVED' AND r.rule = f.rule AND r.organization_id = f.organization_id
     AND r.entity_type = f.entity_type AND r.entity_key = f.entity_key
     AND r.window_start = f.window_start
    WHERE f.organization_id = p_organization_id AND f.state = 'FIRING'
      AND f.window_start >= p_from AND f.window_start < p_to
    GROUP BY f.rule
    ORDER BY f.rule
$$;

-- Per rule, for resolved alerts of hours in [p_from, p_to): how long from FIRING to RESOLVED.
CREATE FUNCTION alert_time_to_resolve(p_organization_id uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (
    rule text, resolved bigint, mean_time interval, median_time interval, max_time interval)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
    SELECT rule, count(*), avg(resolved_at - fired_at),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolved_at - fired_at),
           max(resolved_at - fired_at)
    FROM alerts
    WHERE organization_id = p_organization_id AND state = 'RESOLVED' AND resolved_at IS NOT NULL
      AND window_start >= p_from AND window_start < p_to
    GROUP BY rule
    ORDER BY rule
$$;

-- Keys that fired for at least p_min_firings hours of [p_from, p_to) and resolved in between:
-- flapping thresholds, candidates for a wider gap between fire_above and clear_below.
CREATE FUNCTION alert_flapping_keys(
    p_organization_id uuid, p_from timestamptz, p_to timestamptz, p_min_firings integer DEFAULT 3)
RETURNS TABLE (
    rule text, entity_type text, entity_key text, firings bigint, resolutions bigint,
    first_fired timestamptz, last_fired timestamptz)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
    SELECT rule, entity_type, entity_key,
           count(*) FILTER (WHERE state = 'FIRING'), count(*) FILTER (WHERE state = 'RESOLVED'),
           min(fired_at), max(fired_at)
    FROM alerts
    WHERE organization_id = p_organization_id
      AND window_start >= p_from AND window_start < p_to
    GROUP BY rule, entity_type, entity_key
    HAVING count(*) FILTER (WHERE state = 'FIRING') >= p_min_firings
       AND count(*) FILTER (WHERE state = 'RESOLVED') >= 1
    ORDER BY count(*) FILTER (WHERE state = 'FIRING') DESC, rule, entity_key
$$;

CALL hourglass_assign_ownership();
REVOKE EXECUTE ON FUNCTION alerts_firing_now(uuid),
    alert_summary(uuid, timestamptz, timestamptz),
    alert_time_to_resolve(uuid, timestamptz, timestamptz),
    alert_flapping_keys(uuid, timestamptz, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alerts_firing_now(uuid),
    alert_summary(uuid, timestamptz, timestamptz),
    alert_time_to_resolve(uuid, timestamptz, timestamptz),
    alert_flapping_keys(uuid, timestamptz, timestamptz, integer) TO hourglass_analyst;
