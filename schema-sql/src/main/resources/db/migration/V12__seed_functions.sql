-- The performance guide's functions, corrected for PostgreSQL 18 (schema-sql/README.md lists every
-- change). Analyst functions are SECURITY INVOKER, so row-level security applies to their reads.

-- A page of an organization's open tasks, most urgent first (priority 1 is the highest), with the
-- assignee's name. Served by idx_tasks_org_active_priority (organization_id, priority, created_at
-- DESC) WHERE status IN ('pending', 'in_progress', 'assigned').
CREATE FUNCTION get_active_tasks_optimized(
    org_id uuid,
    limit_count integer DEFAULT 50,
    offset_count integer DEFAULT 0
)
RETURNS TABLE (
    task_id uuid,
    title varchar,
    status varchar,
    priority integer,
    assigned_to_name varchar,
    created_at timestamptz
)
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT t.id, t.title, t.status, t.priority, u.name, t.created_at
    FROM tasks t
    LEFT JOIN users u ON t.assigned_to = u.id
    WHERE t.organization_id = org_id
      AND t.status IN ('pending', 'in_progress', 'assigned')
    ORDER BY t.priority ASC, t.created_at DESC, t.id
    LIMIT limit_count OFFSET offset_count;
END;
$$;

-- Per agent of the organization over the last time_period, from agent_rollups_hourly (hours whose
-- window ends inside the period): runs started, share of finished runs that completed (percent),
-- mean run duration, cost in dollars, mean performance score. Active agents without runs appear
-- with zeros; agents seen in rollups but not yet in codegen_agents appear under a generated name.
CREATE FUNCTION get_agent_performance_metrics(
    org_id uuid,
    time_period interval DEFAULT '30 days'
)
RETURNS TABLE (
    agent_id uuid,
    agent_name varchar,
    total_tasks bigint,
    success_rate numeric,
    avg_completion_time interval,
    total_cost numeric,
    performance_score numeric
)
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH rollup AS (
        SELECT r.agent_id,
               sum(r.started_count)::bigint AS started,
               sum(r.completed_count)::bigint AS completed,
               sum(r.failed_count)::bigint AS failed,
               sum(r.duration_ms_sum)::numeric AS duration_ms,
               sum(r.duration_count)::bigint AS durations,
               sum(r.cost_micros_sum)::numeric AS cost_micros,
               sum(r.performance_score_sum) AS score_sum,
               sum(r.performance_score_count)::bigint AS scores
        FROM agent_rollups_hourly r
        WHERE r.organization_id = org_id
          -- window_end > now() - time_period, said on window_start (window_end is window_start + 1
          -- hour, a CHECK constraint) so that partitions are pruned and the index range applies.
          AND r.window_start > now() - time_period - interval '1 hour'
        GROUP BY r.agent_id
    ),
    agents AS (
        SELECT a.id, a.name, a.is_active FROM codegen_agents a WHERE a.organization_id = org_id
    ),
    stats AS (
        SELECT coalesce(a.id, s.agent_id) AS id,
               coalesce(a.name, ('agent-' || left(s.agent_id::text, 8))::varchar) AS name,
               coalesce(s.started, 0) AS started,
               coalesce(s.completed, 0) AS completed,
               coalesce(s.failed, 0) AS failed,
               s.duration_ms, s.durations, s.cost_micros,
               CASE WHEN s.scores > 0 THEN (s.score_sum / s.scores)::numeric END AS avg_score
        FROM agents a
        FULL JOIN rollup s ON s.agent_id = a.id
        WHERE a.is_active IS DISTINCT FROM false
    )
    SELECT st.id,
           st.name,
           st.started,
           CASE WHEN st.completed + st.failed > 0
                THEN round(st.completed::numeric / (st.completed + st.failed) * 100, 2)
                ELSE 0 END,
           CASE WHEN st.durations > 0
                THEN interval '1 millisecond' * (st.duration_ms / st.durations)
                END,
           round(coalesce(st.cost_micros, 0) / 1000000, 6),
           coalesce(round(st.avg_score, 4), 0)
    FROM stats st
    ORDER BY st.avg_score DESC NULLS LAST, st.id;
END;
$$;

-- An organization's activity per UTC day from start_date to end_date (inclusive), from the rollup
-- tables: tasks created and completed, agent runs and their mean cost, integration events and
-- errors; with a summary over the period.
CREATE FUNCTION get_organization_analytics(
    org_id uuid,
    start_date date DEFAULT (CURRENT_DATE - 30),
    end_date date DEFAULT CURRENT_DATE
)
RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    from_ts timestamptz := start_date::timestamp AT TIME ZONE 'UTC';
    to_ts timestamptz := (end_date + 1)::timestamp AT TIME ZONE 'UTC';
    result jsonb;
BEGIN
    WITH task_days AS (
        SELECT (r.window_start AT TIME ZONE 'UTC')::date AS day,
               sum(r.created_count) AS tasks_created,
               sum(r.completed_count) AS tasks_completed
        FROM task_rollups_hourly r
        WHERE r.organization_id = org_id AND r.window_start >= from_ts AND r.window_start < to_ts
        GROUP BY 1
    ),
    agent_days AS (
        SELECT (r.window_start AT TIME ZONE 'UTC')::date AS day,
               sum(r.started_count) AS agent_tasks,
               sum(r.cost_micros_sum) AS cost_micros
        FROM agent_rollups_hourly r
        WHERE r.organization_id = org_id AND r.window_start >= from_ts AND r.window_start < to_ts
        GROUP BY 1
    ),
    integration_days AS (
        SELECT (r.window_start AT TIME ZONE 'UTC')::date AS day,
               sum(r.event_count) AS integration_events,
               sum(r.error_count) AS integration_errors
        FROM integration_rollups_hourly r
        WHERE r.organization_id = org_id AND r.window_start >= from_ts AND r.window_start < to_ts
        GROUP BY 1
    ),
    daily_stats AS (
        SELECT d.day,
               coalesce(t.tasks_created, 0) AS tasks_created,
               coalesce(t.tasks_completed, 0) AS tasks_completed,
               coalesce(a.agent_tasks, 0) AS agent_tasks,
               coalesce(a.cost_micros, 0) AS cost_micros,
               CASE WHEN a.agent_tasks > 0 THEN round(a.cost_micros / a.agent_tasks / 1000000, 6) END AS avg_cost,
               coalesce(i.integration_events, 0) AS integration_events,
               coalesce(i.integration_errors, 0) AS integration_errors
        FROM (SELECT day FROM task_days UNION SELECT day FROM agent_days UNION SELECT day FROM integration_days) d
        LEFT JOIN task_days t ON t.day = d.day
        LEFT JOIN agent_days a ON a.day = d.day
        LEFT JOIN integration_days i ON i.day = d.day
    )
    SELECT jsonb_build_object(
        'period', jsonb_build_object('start_date', start_date, 'end_date', end_date),
        'summary', jsonb_build_object(
            'total_tasks', coalesce(sum(s.tasks_created), 0),
            'completed_tasks', coalesce(sum(s.tasks_completed), 0),
            'completion_rate', CASE WHEN sum(s.tasks_created) > 0
                                    THEN round(sum(s.tasks_completed) / sum(s.tasks_created) * 100, 2)
                                    ELSE 0 END,
            'total_agent_tasks', coalesce(sum(s.agent_tasks), 0),
            'total_cost', round(coalesce(sum(s.cost_micros), 0) / 1000000, 6),
            'avg_daily_cost', round(avg(s.avg_cost), 6),
            'total_integration_events', coalesce(sum(s.integration_events), 0),
            'integration_error_rate', CASE WHEN sum(s.integration_events) > 0
                                           THEN round(sum(s.integration_errors) / sum(s.integration_events) * 100, 2)
                                           ELSE 0 END
        ),
        'daily_trends', coalesce(jsonb_agg(
            jsonb_build_object(
                'date', s.day,
                'tasks_created', s.tasks_created,
                'tasks_completed', s.tasks_completed,
                'agent_tasks', s.agent_tasks,
                'avg_cost', s.avg_cost,
                'integration_events', s.integration_events,
                'integration_errors', s.integration_errors
            ) ORDER BY s.day) FILTER (WHERE s.day IS NOT NULL), '[]'::jsonb)
    ) INTO result
    FROM daily_stats s;

    RETURN result;
END;
$$;

-- Refreshes the three materialized views (V13) without blocking readers, and records the duration
-- in system_metrics.
CREATE FUNCTION refresh_performance_views()
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    start_time timestamptz;
    end_time timestamptz;
    refresh_stats jsonb;
BEGIN
    start_time := clock_timestamp();

    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_task_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_agent_performance_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_system_metrics_hourly;

    end_time := clock_timestamp();

    refresh_stats := jsonb_build_object(
        'start_time', start_time,
        'end_time', end_time,
        'duration_seconds', EXTRACT(EPOCH FROM (end_time - start_time)),
        'views_refreshed', ARRAY['mv_daily_task_summary', 'mv_agent_performance_summary', 'mv_system_metrics_hourly']
    );

    PERFORM create_monthly_partition('system_metrics', (now() AT TIME ZONE 'UTC')::date);
    INSERT INTO system_metrics (metric_name, metric_type, value, unit, context)
    VALUES ('materialized_view_refresh_duration', 'performance',
            EXTRACT(EPOCH FROM (end_time - start_time)), 'seconds', refresh_stats);

    RETURN refresh_stats;
END;
$$;

-- Database-wide figures: this database's slowest statements (mean above slow_query_ms), its least
-- used indexes on our tables, connections and cache hit ratio.
CREATE FUNCTION get_performance_metrics(slow_query_ms double precision DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    slow_queries jsonb;
    index_usage jsonb;
    connection_stats jsonb;
BEGIN
    IF to_regclass('pg_stat_statements') IS NOT NULL THEN
      BEGIN
        SELECT coalesce(jsonb_agg(q.item ORDER BY q.total_exec_time DESC), '[]'::jsonb) INTO slow_queries
        FROM (
            SELECT s.total_exec_time,
                   jsonb_build_object(
                       'query', substr(s.query, 1, 100),
                       'calls', s.calls,
                       'total_time', round(s.total_exec_time::numeric, 3),
                       'mean_time', round(s.mean_exec_time::numeric, 3),
                       'rows', s.rows) AS item
            FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s.mean_exec_time > slow_query_ms
            ORDER BY s.total_exec_time DESC
            LIMIT 10
        ) q;
      EXCEPTION WHEN object_not_in_prerequisite_state THEN
        -- Installed but not in shared_preload_libraries: slow_queries stays NULL.
        NULL;
      END;
    END IF;

    SELECT coalesce(jsonb_agg(u.item ORDER BY u.idx_scan, u.indexrelname), '[]'::jsonb) INTO index_usage
    FROM (
        SELECT i.idx_scan, i.indexrelname,
               jsonb_build_object(
                   'table', i.schemaname || '.' || i.relname,
                   'index', i.indexrelname,
                   'scans', i.idx_scan,
                   'tuples_read', i.idx_tup_read,
                   'tuples_fetched', i.idx_tup_fetch,
                   'usage_ratio', CASE WHEN i.idx_tup_read > 0
                                       THEN round(i.idx_tup_fetch::numeric / i.idx_tup_read, 4)
                                       ELSE 0 END) AS item
        FROM pg_stat_user_indexes i
        WHERE i.schemaname = 'public' AND i.idx_scan < 100
        ORDER BY i.idx_scan ASC, i.indexrelname
        LIMIT 10
    ) u;

    SELECT jsonb_build_object(
        'total_connections', count(*),
        'active_connections', count(*) FILTER (WHERE a.state = 'active'),
        'idle_connections', count(*) FILTER (WHERE a.state = 'idle'),
        'waiting_connections', count(*) FILTER (WHERE a.wait_event_type = 'Lock'),
        'max_connections', current_setting('max_connections')::integer
    ) INTO connection_stats
    FROM pg_stat_activity a
    WHERE a.backend_type = 'client backend';

    RETURN jsonb_build_object(
        'timestamp', now(),
        'database_size_mb', pg_database_size(current_database()) / 1024 / 1024,
        'slow_queries', slow_queries,
        'index_usage', index_usage,
        'connections', connection_stats,
        'cache_hit_ratio', (
            SELECT round(100.0 * d.blks_hit / nullif(d.blks_hit + d.blks_read, 0), 2)
            FROM pg_stat_database d
            WHERE d.datname = current_database()
        )
    );
END;
$$;

-- Alerts on cache hit ratio, connection usage and slow statements; the thresholds default to the
-- guide's (95 %, 80 % of max_connections, more than 5 statements with a mean above 1 s).
CREATE FUNCTION check_performance_alerts(
    min_cache_hit_ratio numeric DEFAULT 95,
    max_connection_usage numeric DEFAULT 0.8,
    slow_query_ms double precision DEFAULT 1000,
    max_slow_queries integer DEFAULT 5
)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    alerts jsonb := '[]'::jsonb;
    cache_hit_ratio numeric;
    active_connections integer;
    max_connections integer := current_setting('max_connections')::integer;
    slow_query_count integer := 0;
BEGIN
    SELECT round(100.0 * d.blks_hit / nullif(d.blks_hit + d.blks_read, 0), 2) INTO cache_hit_ratio
    FROM pg_stat_database d
    WHERE d.datname = current_database();

    IF cache_hit_ratio < min_cache_hit_ratio THEN
        alerts := alerts || jsonb_build_object(
            'type', 'cache_hit_ratio',
            'severity', 'warning',
            'message', 'Cache hit ratio is ' || cache_hit_ratio || '% (should be > ' || min_cache_hit_ratio || '%)',
            'value', cache_hit_ratio);
    END IF;

    SELECT count(*) FILTER (WHERE a.state = 'active') INTO active_connections
    FROM pg_stat_activity a
    WHERE a.backend_type = 'client backend';

    IF active_connections > max_connections * max_connection_usage THEN
        alerts := alerts || jsonb_build_object(
            'type', 'high_connection_usage',
            'severity', 'warning',
            'message', 'Active connections (' || active_connections || ') > ' || round(max_connection_usage * 100)
                       || '% of max (' || max_connections || ')',
            'value', active_connections);
    END IF;

    IF to_regclass('pg_stat_statements') IS NOT NULL THEN
        BEGIN
            SELECT count(*) INTO slow_query_count
            FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s.mean_exec_time > slow_query_ms;
        EXCEPTION WHEN object_not_in_prerequisite_state THEN
            slow_query_count := 0;
        END;
    END IF;

    IF slow_query_count > max_slow_queries THEN
        alerts := alerts || jsonb_build_object(
            'type', 'slow_queries',
            'severity', 'critical',
            'message', 'Found ' || slow_query_count || ' queries with mean time > ' || slow_query_ms || ' ms',
            'value', slow_query_count);
    END IF;

    RETURN jsonb_build_object(
        'timestamp', now(),
        'alert_count', jsonb_array_length(alerts),
        'alerts', alerts);
END;
$$;

-- Refreshes planner statistics of our tables, lists those with more than 10 % dead rows (VACUUM
-- cannot run inside a function: run VACUUM (ANALYZE) on them, or let autovacuum), and records
-- missing-index suggestions (tables read mostly by sequential scans) in system_metrics.
CREATE FUNCTION optimize_database_performance()
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    t record;
    analyzed jsonb := '[]'::jsonb;
    needs_vacuum jsonb := '[]'::jsonb;
    suggestions integer;
BEGIN
    FOR t IN
        SELECT c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname <> 'flyway_schema_history'
        ORDER BY c.relname
    LOOP
        EXECUTE format('ANALYZE public.%I', t.relname);
        analyzed := analyzed || to_jsonb(t.relname::text);
    END LOOP;

    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'table', s.schemaname || '.' || s.relname,
               'dead_tuples', s.n_dead_tup,
               'live_tuples', s.n_live_tup) ORDER BY s.relname), '[]'::jsonb)
    INTO needs_vacuum
    FROM pg_stat_user_tables s
    WHERE s.schemaname = 'public' AND s.relname <> 'flyway_schema_history'
      AND s.n_dead_tup > s.n_live_tup * 0.1;

    PERFORM create_monthly_partition('system_metrics', (now() AT TIME ZONE 'UTC')::date);
    INSERT INTO system_metrics (metric_name, metric_type, value, unit, context)
    SELECT 'missing_index_suggestion', 'optimization', s.seq_scan, 'scans',
           jsonb_build_object(
               'table', s.schemaname || '.' || s.relname,
               'seq_scans', s.seq_scan,
               'seq_tup_read', s.seq_tup_read,
               'suggestion', 'Consider adding index for frequently scanned table')
    FROM pg_stat_user_tables s
    WHERE s.schemaname = 'public' AND s.seq_scan > 1000 AND s.seq_tup_read > s.seq_scan * 1000;
    GET DIAGNOSTICS suggestions = ROW_COUNT;

    INSERT INTO system_metrics (metric_name, metric_type, value, unit, context)
    VALUES ('database_optimization_completed', 'maintenance', 1, 'count',
            jsonb_build_object('analyzed_tables', jsonb_array_length(analyzed),
                               'needs_vacuum', jsonb_array_length(needs_vacuum),
                               'missing_index_suggestions', suggestions));

    RETURN jsonb_build_object(
        'status', 'completed',
        'timestamp', now(),
        'optimizations', jsonb_build_object(
            'analyzed_tables', analyzed,
            'needs_vacuum', needs_vacuum,
            'missing_index_suggestions', suggestions));
END;
$$;

-- A cheap health summary (the guide's simulate_high_load calls it, the guide never defines it):
-- status 'critical' when a partitioned table has no partition for this month or the next (writes
-- would fail), 'degraded' when active connections exceed 80 % of max_connections, else 'healthy'.
CREATE FUNCTION get_system_health()
RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    issues jsonb := '[]'::jsonb;
    missing text;
    active_connections integer;
    total_connections integer;
    max_connections integer := current_setting('max_connections')::integer;
    status text := 'healthy';
BEGIN
    FOR missing IN
        SELECT p.table_name || '_p' || to_char(m, 'YYYYMM')
        FROM partitioned_tables p
        CROSS JOIN LATERAL (VALUES (date_trunc('month', now() AT TIME ZONE 'UTC')),
                                   (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')) AS months(m)
        WHERE to_regclass(format('public.%I', p.table_name || '_p' || to_char(m, 'YYYYMM'))) IS NULL
        ORDER BY 1
    LOOP
        issues := issues || to_jsonb('missing partition ' || missing);
        status := 'critical';
    END LOOP;

    SELECT count(*), count(*) FILTER (WHERE a.state = 'active')
    INTO total_connections, active_connections
    FROM pg_stat_activity a
    WHERE a.backend_type = 'client backend';

    IF active_connections > max_connections * 0.8 THEN
        issues := issues || to_jsonb('active connections ' || active_connections || ' above 80% of ' || max_connections);
        IF status = 'healthy' THEN
            status := 'degraded';
        END IF;
    END IF;

    RETURN jsonb_build_object(
        'status', status,
        'issues', issues,
        'timestamp', now(),
        'database_size_mb', pg_database_size(current_database()) / 1024 / 1024,
        'connections', jsonb_build_object(
            'total', total_connections, 'active', active_connections, 'max', max_connections),
        'cache_hit_ratio', (
            SELECT round(100.0 * d.blks_hit / nullif(d.blks_hit + d.blks_read, 0), 2)
            FROM pg_stat_database d WHERE d.datname = current_database()));
END;
$$;

-- Runs the guide's common queries in a loop for duration_seconds (at least once) and reports the
-- rate. One backend runs them one after another: concurrent_queries is reported, not acted on
-- (concurrency is measured by the benchmark harness, schema-sql/BENCHMARKS.md).
CREATE FUNCTION simulate_high_load(
    duration_seconds integer DEFAULT 60,
    concurrent_queries integer DEFAULT 100
)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    start_time timestamptz;
    end_time timestamptz;
    elapsed double precision;
    query_count integer := 0;
    error_count integer := 0;
BEGIN
    IF duration_seconds < 0 THEN
        RAISE EXCEPTION 'Invalid value % for duration_seconds: must be >= 0', duration_seconds
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    start_time := clock_timestamp();
    end_time := start_time + interval '1 second' * duration_seconds;

    LOOP
        BEGIN
            PERFORM count(*) FROM tasks WHERE status = 'pending';
            PERFORM count(*) FROM agent_tasks WHERE status = 'running';
            PERFORM get_system_health();
            query_count := query_count + 3;
        EXCEPTION WHEN OTHERS THEN
            error_count := error_count + 1;
        END;
        EXIT WHEN clock_timestamp() >= end_time;
    END LOOP;

    elapsed := greatest(EXTRACT(EPOCH FROM (clock_timestamp() - start_time))::double precision, 1e-6);
    RETURN jsonb_build_object(
        'duration_seconds', elapsed,
        'queries_executed', query_count,
        'errors', error_count,
        'concurrent_queries', concurrent_queries,
        'queries_per_second', round((query_count / elapsed)::numeric, 2));
END;
$$;
