-- mv_system_metrics_hourly maintained incrementally (issue 18), as V27 did for the daily summaries.
-- After V27, recomputing it in full (per hour, organization, metric name and type over the last 7
-- days of system_metrics) was the largest part of refresh_performance_views() on a grown database
-- (BENCHMARKS.md, after the findings). Its rows now live in a table, recomputed only for the hours
-- that changed since the last run, and the view is a plain copy of the table, refreshed
-- CONCURRENTLY as before.
--
-- The unit recomputed is the hour (every organization, metric name and type of it), not the
-- group: the median and p95 are not mergeable, so a changed group is recomputed from its rows
-- anyway, and the writers of system_metrics (maintenance jobs, refresh_performance_views itself,
-- operators) write mostly the current hour. Logging hours keeps the log to one
-- row per statement and hour, the refresh to one range read per hour, and the design to what
-- can be checked by eye: a changed hour is deleted from the table and computed again with V13's
-- expressions.
--
-- What a refresh recomputes, so that the table holds exactly what the V13 query gives at the
-- refresh's CURRENT_TIMESTAMP:
--   the hours logged by the triggers below since the last run (rows inserted, updated - both the
--   old and the new hour - or deleted, in the writer's transaction), a NULL hour (a TRUNCATE, or
--   this migration) standing for everything;
--   the oldest hour of the window, every time: V13 keeps rows with timestamp >= CURRENT_TIMESTAMP
--   - 7 days, so that hour holds part of its rows and loses some at every run without any write;
--   and it deletes the hours that left the window.
-- Every hour after the oldest was wholly inside the window at the last refresh too (the window
-- only moves forward), so only a write can change it, and every write logs it.
--
-- The window is 168 hours, written so: V13's interval '7 days' is seven calendar days of the
-- session's time zone, 167 or 169 hours in a week with a daylight-saving change, so two refreshes
-- (or a writer and a refresh) in sessions of different zones could see it move backwards, and an
-- hour already dropped would be missing. In UTC, and in any week without such a change, the two are
-- the same (schema-sql/README.md, deviations).
--
-- Not logged, as for V27's sources: a statement on a partition itself (it fires the partition's
-- triggers, not those of system_metrics; every writer of ours writes through system_metrics), and
-- dropping or detaching a partition (no trigger fires). The retention of system_metrics (3
-- months, partitioned_tables) never drops a month of the window; after anything else that removes
-- rows of the last 7 days without a DELETE, INSERT INTO system_metrics_changes DEFAULT VALUES makes
-- the next refresh recompute everything.

CREATE TABLE system_metrics_changes (
    hour timestamptz
);

-- The table behind the view: the V13 view's columns and types, one row per group. No primary key:
-- organization_id is NULL for database-wide metrics, so the key is a unique index whose NULLs are
-- equal, as the view's own.
CREATE TABLE system_metrics_hourly_store AS SELECT * FROM mv_system_metrics_hourly WITH NO DATA;
CREATE UNIQUE INDEX idx_system_metrics_hourly_store_unique
    ON system_metrics_hourly_store (hour, organization_id, metric_name, metric_type) NULLS NOT DISTINCT;

-- The logging trigger: statement-level with transition tables, one INSERT per statement of the
-- distinct hours it touched. Rows older than the window are not logged: they are outside it now and
-- at every later refresh. SECURITY DEFINER: the writers (the maintainer among them) may not write
-- the log themselves.
CREATE FUNCTION log_system_metrics_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO system_metrics_changes DEFAULT VALUES;
        RETURN NULL;
    END IF;
    -- An update logs both hours: the row may have moved to another hour (or another month's
    -- partition: a moved row is in both transition tables of the UPDATE on system_metrics).
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO system_metrics_changes (hour)
        SELECT DISTINCT date_trunc('hour', n.timestamp, 'UTC')
        FROM changed_new n
        WHERE n.timestamp >= now() - interval '168 hours';
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO system_metrics_changes (hour)
        SELECT DISTINCT date_trunc('hour', o.timestamp, 'UTC')
        FROM changed_old o
        WHERE o.timestamp >= now() - interval '168 hours';
    END IF;
    RETURN NULL;
END;
$$;

-- A trigger with transition tables has one event; hence one per event. The deletes of an
-- organization's rows (ON DELETE CASCADE) are statements on system_metrics too.
CREATE TRIGGER system_metrics_changes_insert AFTER INSERT ON system_metrics
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION log_system_metrics_changes();
CREATE TRIGGER system_metrics_changes_update AFTER UPDATE ON system_metrics
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION log_system_metrics_changes();
CREATE TRIGGER system_metrics_changes_delete AFTER DELETE ON system_metrics
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION log_system_metrics_changes();
CREATE TRIGGER system_metrics_changes_truncate AFTER TRUNCATE ON system_metrics
    FOR EACH STATEMENT EXECUTE FUNCTION log_system_metrics_changes();

-- Applies the logged hours to the table; returns how many hours and rows it recomputed. Serialized
-- by a transaction lock (the elected scheduler is the only caller in practice). SECURITY DEFINER:
-- it reads system_metrics as the view's owner did when the view was refreshed from it.
--
-- Three statements, not one: the log is emptied first, and each later statement (READ COMMITTED)
-- sees at least every change whose log row it took, since a log row commits with its change. A
-- change committed meanwhile may be computed now as well, and its log row stays for the next run.
CREATE FUNCTION refresh_system_metrics_hourly_store()
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    -- V13's window, and the hour it begins in (the one partly inside it).
    window_from timestamptz := CURRENT_TIMESTAMP - interval '168 hours';
    oldest_hour timestamptz := date_trunc('hour', CURRENT_TIMESTAMP - interval '168 hours', 'UTC');
    changed_hours timestamptz[];
    everything boolean;
    hours_recomputed bigint;
    rows_recomputed bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('hourglass.system_metrics_hourly'));

    WITH logged AS (
        DELETE FROM system_metrics_changes RETURNING hour
    )
    SELECT coalesce(bool_or(l.hour IS NULL), false),
           coalesce(array_agg(DISTINCT l.hour) FILTER (WHERE l.hour > oldest_hour), '{}')
    INTO everything, changed_hours
    FROM logged l;

    IF everything THEN
        -- The V13 query of mv_system_metrics_hourly, its window in hours.
        DELETE FROM system_metrics_hourly_store;
        INSERT INTO system_metrics_hourly_store
        SELECT date_trunc('hour', m.timestamp, 'UTC') AS hour,
               m.organization_id,
               m.metric_name,
               m.metric_type,
               count(*) AS measurement_count,
               avg(m.value) AS avg_value,
               min(m.value) AS min_value,
               max(m.value) AS max_value,
               stddev(m.value) AS stddev_value,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY m.value) AS median_value,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY m.value) AS p95_value
        FROM system_metrics m
        WHERE m.timestamp >= CURRENT_TIMESTAMP - interval '168 hours'
        GROUP BY 1, 2, 3, 4;
        GET DIAGNOSTICS rows_recomputed = ROW_COUNT;
        SELECT count(DISTINCT s.hour) INTO hours_recomputed FROM system_metrics_hourly_store s;
    ELSE
        changed_hours := changed_hours || oldest_hour;
        -- Hours that left the window, and the hours recomputed below (a group that no longer has
        -- a row in its hour loses its own).
        DELETE FROM system_metrics_hourly_store s
        WHERE s.hour < oldest_hour OR s.hour = ANY (changed_hours);
        -- The V13 query for those hours only: the same expressions and window. Each hour is both
        -- a time range (one partition's, found by its BRIN index when rows were appended in time
        -- order) and an equality on V13's hour expression (one hash join over the window when they
        -- were not): the planner picks the cheaper.
        INSERT INTO system_metrics_hourly_store
        SELECT date_trunc('hour', m.timestamp, 'UTC') AS hour,
               m.organization_id,
               m.metric_name,
               m.metric_type,
               count(*) AS measurement_count,
               avg(m.value) AS avg_value,
               min(m.value) AS min_value,
               max(m.value) AS max_value,
               stddev(m.value) AS stddev_value,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY m.value) AS median_value,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY m.value) AS p95_value
        FROM unnest(changed_hours) AS h(hour_start)
        JOIN system_metrics m
          ON date_trunc('hour', m.timestamp, 'UTC') = h.hour_start
         AND m.timestamp >= h.hour_start AND m.timestamp < h.hour_start + interval '1 hour'
        WHERE m.timestamp >= window_from
        GROUP BY 1, 2, 3, 4;
        GET DIAGNOSTICS rows_recomputed = ROW_COUNT;
        hours_recomputed := cardinality(changed_hours);
    END IF;

    RETURN jsonb_build_object(
        'system_metrics_hours_recomputed', hours_recomputed,
        'system_metrics_rows_recomputed', rows_recomputed,
        'system_metrics_rebuilt', everything);
END;
$$;

-- The view, now over its table (DROP ... CASCADE takes the per-organization view of V18 with it;
-- it is created again below, as V18 had it, with its grant).
DROP MATERIALIZED VIEW mv_system_metrics_hourly CASCADE;

-- Fill the table: everything is logged as changed, then applied.
INSERT INTO system_metrics_changes DEFAULT VALUES;
SELECT refresh_system_metrics_hourly_store();
-- The trigger above locks system_metrics until this migration commits, so no other writer has
-- logged anything: leave the log empty rather than full of dead rows.
TRUNCATE system_metrics_changes;

-- Ordered by organization: an analyst reads one organization's hours, which then sit on a few
-- pages. The window filter only matters for a REFRESH run on its own: refresh_performance_views()
-- has just deleted the hours before it.
CREATE MATERIALIZED VIEW mv_system_metrics_hourly AS
SELECT * FROM system_metrics_hourly_store
WHERE hour >= date_trunc('hour', CURRENT_TIMESTAMP - interval '168 hours', 'UTC')
ORDER BY organization_id, hour, metric_name, metric_type;
CREATE UNIQUE INDEX idx_mv_system_metrics_hourly_unique
    ON mv_system_metrics_hourly (hour, organization_id, metric_name, metric_type) NULLS NOT DISTINCT;
CREATE INDEX idx_mv_system_metrics_hourly_org_hour
    ON mv_system_metrics_hourly (organization_id, hour);

CREATE VIEW system_metrics_hourly WITH (security_barrier = true) AS
    SELECT * FROM mv_system_metrics_hourly WHERE organization_id = (SELECT hourglass_visible_organization());

-- refresh_performance_views (V27), also applying the logged hours to the metrics table before its
-- view is refreshed. Same result; its JSON adds 'system_metrics'.
CREATE OR REPLACE FUNCTION refresh_performance_views()
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    start_time timestamptz;
    end_time timestamptz;
    summaries jsonb;
    metrics jsonb;
    refresh_stats jsonb;
BEGIN
    start_time := clock_timestamp();

    summaries := refresh_performance_summaries();
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_task_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_agent_performance_summary;
    metrics := refresh_system_metrics_hourly_store();
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_system_metrics_hourly;

    end_time := clock_timestamp();

    refresh_stats := jsonb_build_object(
        'start_time', start_time,
        'end_time', end_time,
        'duration_seconds', EXTRACT(EPOCH FROM (end_time - start_time)),
        'views_refreshed', ARRAY['mv_daily_task_summary', 'mv_agent_performance_summary', 'mv_system_metrics_hourly'],
        'summaries', summaries,
        'system_metrics', metrics
    );

    PERFORM create_monthly_partition('system_metrics', (now() AT TIME ZONE 'UTC')::date);
    INSERT INTO system_metrics (metric_name, metric_type, value, unit, context)
    VALUES ('materialized_view_refresh_duration', 'performance',
            EXTRACT(EPOCH FROM (end_time - start_time)), 'seconds', refresh_stats);

    RETURN refresh_stats;
END;
$$;

CALL hourglass_assign_ownership();

GRANT SELECT ON system_metrics_hourly TO hourglass_analyst;
GRANT MAINTAIN ON mv_system_metrics_hourly, system_metrics_hourly_store, system_metrics_changes
    TO hourglass_maintainer;
GRANT EXECUTE ON FUNCTION refresh_system_metrics_hourly_store() TO hourglass_maintainer;
