-- Maintenance that runs by itself (issue 15): the sink elects one scheduler per database with a
-- session advisory lock and runs the jobs below on intervals. This migration gives those jobs a
-- role with exactly the privileges they need, the functions they call that the seeds lack, and
-- the table where each job's last run is visible.
--
--   hourglass_maintainer  refreshes the materialized views, creates partitions ahead, drops
--                         partitions past their table's retention (never another one), captures
--                         slow statements, records database health in system_metrics, and writes
--                         database alerts (entity_type 'database') into alerts. No other DDL,
--                         no DELETE, no tenant rows.
--
-- A sink that runs the maintenance logs in with both roles, hourglass_writer and this one
-- (local mode's hourglass_sink does); the writer alone is not a member, so that a login with the
-- writer's rights only keeps exactly those (least privilege, V19).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hourglass_maintainer') THEN
        BEGIN
            CREATE ROLE hourglass_maintainer NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'Role hourglass_maintainer does not exist and % may not create roles', current_user
                    USING HINT = 'Create the role hourglass_maintainer (NOLOGIN) as a superuser first; see schema-sql/README.md.';
        END;
    END IF;
    -- Without it pg_stat_statements hides other users' statement texts and pg_stat_activity their
    -- sessions' state, so slow statements and active connections would be undercounted. Granting
    -- it needs a superuser (or ADMIN on pg_read_all_stats): otherwise the figures cover the
    -- maintainer's own sessions only.
    BEGIN
        GRANT pg_read_all_stats TO hourglass_maintainer;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'pg_read_all_stats not granted to hourglass_maintainer (%): statement and connection figures cover its own sessions only', SQLERRM;
    END;
END;
$$;

-- One row per job: its last run, how long it took, how it ended and what it did. The scheduler
-- upserts its row after each run; a job is due when last_started_at + its interval has passed, so
-- the interval holds across instances and elections.
CREATE TABLE maintenance_jobs (
    job              text PRIMARY KEY,
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    last_duration_ms bigint CONSTRAINT maintenance_jobs_duration_non_negative CHECK (last_duration_ms >= 0),
    last_outcome     text CONSTRAINT maintenance_jobs_outcome_known CHECK (last_outcome IN ('succeeded', 'failed')),
    -- What the run did ("created 2 partitions"), or the error with its SQLSTATE.
    last_detail      text,
    -- Which sink instance ran it (host and process).
    last_instance    text,
    last_success_at  timestamptz,
    runs             bigint NOT NULL DEFAULT 0,
    failures         bigint NOT NULL DEFAULT 0
);
INSERT INTO maintenance_jobs (job) VALUES
    ('refresh_views'), ('create_partitions'), ('drop_partitions'),
    ('capture_slow_queries'), ('record_health'), ('check_alerts');

-- capture_slow_queries (V10) copies every slow statement again on each call; scheduled every few
-- minutes that would repeat each statement forever. This one records a statement again only when
-- it has run since (its calls changed). NULL when pg_stat_statements is not available (not
-- installed, or not in shared_preload_libraries), so the job can say so.
CREATE INDEX idx_slow_query_log_queryid_calls ON slow_query_log (queryid, calls);

CREATE FUNCTION capture_new_slow_queries(threshold_ms double precision DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    captured integer;
BEGIN
    IF to_regclass('pg_stat_statements') IS NULL THEN
        RETURN NULL;
    END IF;
    BEGIN
        INSERT INTO slow_query_log (query_text, execution_time, calls, queryid)
        SELECT s.query, make_interval(secs => s.mean_exec_time / 1000.0), s.calls, s.queryid
        FROM pg_stat_statements s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND s.toplevel
          AND s.mean_exec_time > threshold_ms
          AND NOT EXISTS (SELECT 1 FROM slow_query_log l WHERE l.queryid = s.queryid AND l.calls = s.calls);
        GET DIAGNOSTICS captured = ROW_COUNT;
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        RETURN NULL;
    END;
    RETURN captured;
END;
$$;

-- get_system_health() as rows of system_metrics (metric_type 'database_health', organization_id
-- NULL): status as a level (0 healthy, 1 degraded, 2 critical, its issues in context), active and
-- total client connections, cache hit ratio (when any block was read), size. Returns the rows
-- written.
CREATE FUNCTION record_database_health()
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    h jsonb := get_system_health();
    written integer;
BEGIN
    PERFORM create_monthly_partition('system_metrics', (now() AT TIME ZONE 'UTC')::date);
    INSERT INTO system_metrics (metric_name, metric_type, value, unit, context)
    SELECT m.name, 'database_health', m.value, m.unit, m.context
    FROM (VALUES
        ('database_health_status',
         CASE h->>'status' WHEN 'healthy' THEN 0 WHEN 'degraded' THEN 1 ELSE 2 END::double precision,
         'level', jsonb_build_object('status', h->'status', 'issues', h->'issues')),
        ('database_connections_active', (h#>>'{connections,active}')::double precision, 'connections', '{}'::jsonb),
        ('database_connections_total', (h#>>'{connections,total}')::double precision, 'connections', '{}'::jsonb),
        ('database_cache_hit_ratio', (h->>'cache_hit_ratio')::double precision, 'percent', '{}'::jsonb),
        ('database_size_mb', (h->>'database_size_mb')::double precision, 'MB', '{}'::jsonb)
    ) AS m(name, value, unit, context)
    WHERE m.value IS NOT NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END;
$$;

-- drop_partitions_older_than with each table's own retention only: the maintainer may apply the
-- retention that partitioned_tables sets, never choose a shorter one.
CREATE FUNCTION drop_expired_partitions()
RETURNS SETOF text
LANGUAGE sql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT drop_partitions_older_than(NULL, NULL)
$$;

CALL hourglass_assign_ownership();

REVOKE EXECUTE ON FUNCTION capture_new_slow_queries(double precision), record_database_health(),
    drop_expired_partitions() FROM PUBLIC;

-- The maintainer's privileges, each for one job.
GRANT USAGE ON SCHEMA public TO hourglass_maintainer;
GRANT SELECT, INSERT, UPDATE ON maintenance_jobs TO hourglass_maintainer;
-- refresh_views: REFRESH MATERIALIZED VIEW needs MAINTAIN (PostgreSQL 17+) or ownership; the
-- refresh itself runs the views' queries as their owner. refresh_performance_views records its
-- duration in system_metrics, in this month's partition.
GRANT MAINTAIN ON mv_daily_task_summary, mv_agent_performance_summary, mv_system_metrics_hourly
    TO hourglass_maintainer;
GRANT EXECUTE ON FUNCTION refresh_performance_views(), create_monthly_partition(text, date)
    TO hourglass_maintainer;
-- create_partitions and drop_partitions (SECURITY DEFINER: the DDL runs as the owner).
GRANT EXECUTE ON FUNCTION ensure_partitions(integer, integer), drop_expired_partitions()
    TO hourglass_maintainer;
GRANT SELECT ON partitioned_tables TO hourglass_maintainer;
-- capture_slow_queries.
GRANT EXECUTE ON FUNCTION capture_new_slow_queries(double precision) TO hourglass_maintainer;
GRANT SELECT, INSERT ON slow_query_log TO hourglass_maintainer;
-- record_health and check_alerts.
GRANT EXECUTE ON FUNCTION get_system_health(), record_database_health(),
    check_performance_alerts(numeric, numeric, double precision, integer) TO hourglass_maintainer;
-- Database-wide measurements only (organization_id NULL): row-level security is forced on
-- system_metrics, so the maintainer gets a policy of its own.
GRANT INSERT ON system_metrics TO hourglass_maintainer;
CREATE POLICY system_metrics_maintainer_database ON system_metrics FOR INSERT TO hourglass_maintainer
    WITH CHECK (organization_id IS NULL);
-- check_alerts reads the database alerts it fired and writes new ones; it sees no tenant's alerts.
GRANT SELECT, INSERT ON alerts TO hourglass_maintainer;
CREATE POLICY alerts_maintainer_database_read ON alerts FOR SELECT TO hourglass_maintainer
    USING (entity_type = 'database');
CREATE POLICY alerts_maintainer_database_write ON alerts FOR INSERT TO hourglass_maintainer
    WITH CHECK (entity_type = 'database');
