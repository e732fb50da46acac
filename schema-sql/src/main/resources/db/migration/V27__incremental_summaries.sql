-- The daily summaries maintained incrementally (issue 18). On a database holding 30 days x 1,000
-- organizations, refresh_performance_views() recomputed mv_daily_task_summary and
-- mv_agent_performance_summary from every rollup row of their 90 and 30 days (and every task and
-- execution) at each scheduled run: 81% of the database's statement time during ingest
-- (BENCHMARKS.md, findings). The rows of those two views now live in two tables, recomputed only
-- for the keys that changed since the last run, and each view is a plain copy of its table's rows
-- in the window, refreshed CONCURRENTLY as before: a refresh costs the changed keys plus one pass
-- over the (24 times smaller) daily rows, not a pass over the rollups and raw tables.
--
-- What changed is logged by triggers on the views' sources, in the writer's transaction:
--   summary_changes_task   (UTC day, organization, project) of task_rollups_hourly rows, of tasks
--                          (day created) and of the tasks of task_executions rows
--   summary_changes_agent  (UTC day, organization, agent) of agent_rollups_hourly rows; the day is
--                          NULL when the agent's name, type or activity changed (every day of it)
-- A row with every column NULL (a TRUNCATE of a source) recomputes everything. The log is
-- append-only without a key, so a writer never waits on another writer or on the refresh; the
-- refresh deletes the rows its snapshot sees and recomputes their keys in the same statement, so a
-- change committed later stays logged for the next run.
--
-- The views keep their names, columns, indexes, grants and results: the tables hold exactly the rows
-- the V13 queries give for their keys (the same expressions, per key), and the views filter the
-- same windows (CURRENT_DATE - 90 and - 30 days, evaluated at refresh).

CREATE TABLE summary_changes_task (
    date            date,
    organization_id uuid,
    project_id      uuid
);
CREATE TABLE summary_changes_agent (
    date            date,
    organization_id uuid,
    agent_id        uuid
);

-- The tables behind the views: the V13 views' columns and types, one row per key.
CREATE TABLE daily_task_summary_store AS SELECT * FROM mv_daily_task_summary WITH NO DATA;
ALTER TABLE daily_task_summary_store ADD PRIMARY KEY (date, organization_id, project_id);
CREATE TABLE agent_performance_summary_store AS SELECT * FROM mv_agent_performance_summary WITH NO DATA;
ALTER TABLE agent_performance_summary_store ADD PRIMARY KEY (date, organization_id, agent_id);

-- The logging triggers. Statement-level with transition tables: one INSERT per statement of the
-- sink, of the distinct keys it touched. SECURITY DEFINER: the writer may not write the log itself,
-- and reading tasks for an execution's key needs the owner's row-level security policy.
CREATE FUNCTION log_task_rollup_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT DISTINCT (n.window_start AT TIME ZONE 'UTC')::date, n.organization_id, n.project_id
        FROM changed_new n;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT DISTINCT (o.window_start AT TIME ZONE 'UTC')::date, o.organization_id, o.project_id
        FROM changed_old o;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION log_task_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT DISTINCT (n.created_at AT TIME ZONE 'UTC')::date, n.organization_id, n.project_id
        FROM changed_new n;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT DISTINCT (o.created_at AT TIME ZONE 'UTC')::date, o.organization_id, o.project_id
        FROM changed_old o;
    END IF;
    RETURN NULL;
END;
$$;

-- An execution counts under its task's day of creation.
CREATE FUNCTION log_task_execution_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT DISTINCT (t.created_at AT TIME ZONE 'UTC')::date, t.organization_id, t.project_id
        FROM (SELECT DISTINCT n.task_id FROM changed_new n) n JOIN tasks t ON t.id = n.task_id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT DISTINCT (t.created_at AT TIME ZONE 'UTC')::date, t.organization_id, t.project_id
        FROM (SELECT DISTINCT o.task_id FROM changed_old o) o JOIN tasks t ON t.id = o.task_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION log_agent_rollup_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO summary_changes_agent (date, organization_id, agent_id)
        SELECT DISTINCT (n.window_start AT TIME ZONE 'UTC')::date, n.organization_id, n.agent_id
        FROM changed_new n;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO summary_changes_agent (date, organization_id, agent_id)
        SELECT DISTINCT (o.window_start AT TIME ZONE 'UTC')::date, o.organization_id, o.agent_id
        FROM changed_old o;
    END IF;
    RETURN NULL;
END;
$$;

-- Row-level: the sink updates last_used_at on every agent event, which the summary does not read;
-- the WHEN clause below keeps those updates from logging anything.
CREATE FUNCTION log_agent_changes()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO summary_changes_agent (date, organization_id, agent_id)
        VALUES (NULL, NEW.organization_id, NEW.id);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO summary_changes_agent (date, organization_id, agent_id)
        VALUES (NULL, OLD.organization_id, OLD.id);
    END IF;
    RETURN NULL;
END;
$$;

-- An UPDATE that moves a row to another key also changes the old key's summary. The sink's
-- upserts never move a rollup and seldom a task (an earlier created_at), so this is a row trigger
-- whose WHEN clause (below) passes only such rows: the statement triggers need not capture every
-- updated row's old version as well (that doubled their cost on the rollups).
CREATE FUNCTION log_moved_key()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    -- The source's name is the argument: on a partition, TG_TABLE_NAME is the partition's.
    IF TG_ARGV[0] = 'task_rollups_hourly' THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        VALUES ((OLD.window_start AT TIME ZONE 'UTC')::date, OLD.organization_id, OLD.project_id);
    ELSIF TG_ARGV[0] = 'tasks' THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        VALUES ((OLD.created_at AT TIME ZONE 'UTC')::date, OLD.organization_id, OLD.project_id);
    ELSIF TG_ARGV[0] = 'task_executions' THEN
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT (t.created_at AT TIME ZONE 'UTC')::date, t.organization_id, t.project_id
        FROM tasks t WHERE t.id = OLD.task_id;
    ELSE
        INSERT INTO summary_changes_agent (date, organization_id, agent_id)
        VALUES ((OLD.window_start AT TIME ZONE 'UTC')::date, OLD.organization_id, OLD.agent_id);
    END IF;
    RETURN NULL;
END;
$$;

-- TRUNCATE: everything is recomputed.
CREATE FUNCTION log_summary_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_ARGV[0] = 'task' THEN
        INSERT INTO summary_changes_task DEFAULT VALUES;
    ELSE
        INSERT INTO summary_changes_agent DEFAULT VALUES;
    END IF;
    RETURN NULL;
END;
$$;

-- A trigger with transition tables has one event; hence one per event and table.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT * FROM (VALUES
            ('task_rollups_hourly', 'log_task_rollup_changes', 'task', 'organization_id, project_id, window_start'),
            ('tasks', 'log_task_changes', 'task', 'organization_id, project_id, created_at'),
            ('task_executions', 'log_task_execution_changes', 'task', 'task_id'),
            ('agent_rollups_hourly', 'log_agent_rollup_changes', 'agent', 'organization_id, agent_id, window_start'))
            AS v(tab, fn, summary, key_columns)
    LOOP
        EXECUTE format('CREATE TRIGGER summary_changes_insert AFTER INSERT ON public.%I'
                       ' REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       t.tab, t.fn);
        EXECUTE format('CREATE TRIGGER summary_changes_update AFTER UPDATE ON public.%I'
                       ' REFERENCING NEW TABLE AS changed_new'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %I()', t.tab, t.fn);
        EXECUTE format('CREATE TRIGGER summary_changes_moved AFTER UPDATE ON public.%I FOR EACH ROW'
                       ' WHEN ((OLD.%s) IS DISTINCT FROM (NEW.%s)) EXECUTE FUNCTION log_moved_key(%L)',
                       t.tab, replace(t.key_columns, ', ', ', OLD.'), replace(t.key_columns, ', ', ', NEW.'), t.tab);
        EXECUTE format('CREATE TRIGGER summary_changes_delete AFTER DELETE ON public.%I'
                       ' REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       t.tab, t.fn);
        EXECUTE format('CREATE TRIGGER summary_changes_truncate AFTER TRUNCATE ON public.%I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION log_summary_truncate(%L)', t.tab, t.summary);
    END LOOP;
END;
$$;

-- An UPDATE that moves a rollup to another month's partition is a DELETE from the one and an
-- INSERT into the other, for row triggers: the old key is logged by this one.
CREATE TRIGGER summary_changes_moved_partition AFTER DELETE ON task_rollups_hourly
    FOR EACH ROW EXECUTE FUNCTION log_moved_key('task_rollups_hourly');
CREATE TRIGGER summary_changes_moved_partition AFTER DELETE ON agent_rollups_hourly
    FOR EACH ROW EXECUTE FUNCTION log_moved_key('agent_rollups_hourly');

CREATE TRIGGER summary_changes_insert_delete AFTER INSERT OR DELETE ON codegen_agents
    FOR EACH ROW EXECUTE FUNCTION log_agent_changes();
CREATE TRIGGER summary_changes_update AFTER UPDATE ON codegen_agents
    FOR EACH ROW
    WHEN ((OLD.id, OLD.organization_id, OLD.name, OLD.agent_type, OLD.is_active)
          IS DISTINCT FROM (NEW.id, NEW.organization_id, NEW.name, NEW.agent_type, NEW.is_active))
    EXECUTE FUNCTION log_agent_changes();
CREATE TRIGGER summary_changes_truncate AFTER TRUNCATE ON codegen_agents
    FOR EACH STATEMENT EXECUTE FUNCTION log_summary_truncate('agent');

-- Applies the logged changes to the two tables; returns how many keys each recomputed. Serialized
-- by a transaction lock (the elected scheduler is the only caller in practice). SECURITY DEFINER:
-- it reads the tenant tables as the views' owner did when they were refreshed from them.
CREATE FUNCTION refresh_performance_summaries()
RETURNS jsonb
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    task_from timestamptz := (CURRENT_DATE - 90)::timestamp AT TIME ZONE 'UTC';
    agent_from timestamptz := (CURRENT_DATE - 30)::timestamp AT TIME ZONE 'UTC';
    task_keys bigint;
    agent_keys bigint;
    task_everything boolean;
    agent_everything boolean;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('hourglass.summaries'));

    -- Everything (a TRUNCATE, or this migration): every key of the window is logged as changed.
    DELETE FROM summary_changes_task WHERE organization_id IS NULL;
    GET DIAGNOSTICS task_keys = ROW_COUNT;
    task_everything := task_keys > 0;
    IF task_everything THEN
        DELETE FROM daily_task_summary_store;
        INSERT INTO summary_changes_task (date, organization_id, project_id)
        SELECT (r.window_start AT TIME ZONE 'UTC')::date, r.organization_id, r.project_id
        FROM task_rollups_hourly r WHERE r.window_start >= task_from
        UNION
        SELECT (t.created_at AT TIME ZONE 'UTC')::date, t.organization_id, t.project_id
        FROM tasks t WHERE t.created_at >= task_from;
    END IF;
    DELETE FROM summary_changes_agent WHERE organization_id IS NULL;
    GET DIAGNOSTICS agent_keys = ROW_COUNT;
    agent_everything := agent_keys > 0;
    IF agent_everything THEN
        DELETE FROM agent_performance_summary_store;
        INSERT INTO summary_changes_agent (date, organization_id, agent_id)
        SELECT DISTINCT (r.window_start AT TIME ZONE 'UTC')::date, r.organization_id, r.agent_id
        FROM agent_rollups_hourly r WHERE r.window_start >= agent_from;
    END IF;

    -- Days that left the windows.
    DELETE FROM daily_task_summary_store WHERE date < CURRENT_DATE - 90;
    DELETE FROM agent_performance_summary_store WHERE date < CURRENT_DATE - 30;

    -- The V13 query of mv_daily_task_summary, for the changed keys only; keys that no longer have
    -- a row lose theirs. One statement, so the log rows it deletes and the rows it reads are of
    -- the same snapshot.
    WITH logged AS (
        DELETE FROM summary_changes_task RETURNING date, organization_id, project_id
    ),
    keys AS (
        SELECT DISTINCT l.date, l.organization_id, l.project_id
        FROM logged l
        WHERE l.date >= CURRENT_DATE - 90
    ),
    rollup_days AS (
        SELECT k.date,
               r.organization_id,
               r.project_id,
               sum(r.created_count)::bigint AS total_tasks,
               sum(r.completed_count)::bigint AS completed_tasks,
               sum(r.failed_count)::bigint AS failed_tasks,
               sum(r.actual_hours_sum) AS actual_hours_sum,
               sum(r.actual_hours_count)::bigint AS actual_hours_count,
               hg_merge(r.duration_histogram) AS duration_histogram
        FROM keys k
        JOIN task_rollups_hourly r
          ON r.organization_id = k.organization_id AND r.project_id = k.project_id
         AND r.window_start >= k.date::timestamp AT TIME ZONE 'UTC'
         AND r.window_start < (k.date + 1)::timestamp AT TIME ZONE 'UTC'
        WHERE r.window_start >= task_from
        GROUP BY 1, 2, 3
    ),
    key_tasks AS (
        SELECT k.date, t.id, t.organization_id, t.project_id, t.status, t.priority, t.assigned_to
        FROM keys k
        JOIN tasks t
          ON t.organization_id = k.organization_id AND t.project_id = k.project_id
         AND t.created_at >= k.date::timestamp AT TIME ZONE 'UTC'
         AND t.created_at < (k.date + 1)::timestamp AT TIME ZONE 'UTC'
        WHERE t.created_at >= task_from
    ),
    task_days AS (
        SELECT t.date,
               t.organization_id,
               t.project_id,
               count(*) FILTER (WHERE t.status IN ('pending', 'in_progress')) AS active_tasks,
               avg(t.priority) AS avg_priority,
               count(DISTINCT t.assigned_to) AS unique_assignees,
               sum(e.seconds_sum) / nullif(sum(e.seconds_count), 0) AS avg_execution_seconds,
               coalesce(sum(e.completed), 0)::bigint AS successful_executions
        FROM key_tasks t
        LEFT JOIN (
            SELECT te.task_id,
                   sum(EXTRACT(EPOCH FROM (te.completed_at - te.started_at))) AS seconds_sum,
                   count(te.completed_at - te.started_at) AS seconds_count,
                   count(*) FILTER (WHERE te.status = 'completed') AS completed
            FROM task_executions te
            WHERE te.task_id IN (SELECT kt.id FROM key_tasks kt)
            GROUP BY te.task_id
        ) e ON e.task_id = t.id
        GROUP BY 1, 2, 3
    ),
    computed AS (
        SELECT coalesce(r.date, d.date) AS date,
               coalesce(r.organization_id, d.organization_id) AS organization_id,
               coalesce(r.project_id, d.project_id) AS project_id,
               coalesce(r.total_tasks, 0) AS total_tasks,
               coalesce(r.completed_tasks, 0) AS completed_tasks,
               coalesce(r.failed_tasks, 0) AS failed_tasks,
               coalesce(d.active_tasks, 0) AS active_tasks,
               CASE WHEN r.actual_hours_count > 0 THEN r.actual_hours_sum / r.actual_hours_count END AS avg_hours,
               d.avg_priority,
               coalesce(d.unique_assignees, 0) AS unique_assignees,
               d.avg_execution_seconds,
               coalesce(d.successful_executions, 0) AS successful_executions,
               r.duration_histogram
        FROM rollup_days r
        FULL JOIN task_days d
            ON d.date = r.date AND d.organization_id = r.organization_id AND d.project_id = r.project_id
    ),
    emptied AS (
        DELETE FROM daily_task_summary_store s
        USING keys k
        WHERE s.date = k.date AND s.organization_id = k.organization_id AND s.project_id = k.project_id
          AND NOT EXISTS (SELECT 1 FROM computed c
                          WHERE c.date = k.date AND c.organization_id = k.organization_id
                            AND c.project_id = k.project_id)
    )
    INSERT INTO daily_task_summary_store AS s
    SELECT * FROM computed
    ON CONFLICT (date, organization_id, project_id) DO UPDATE SET
        total_tasks = EXCLUDED.total_tasks,
        completed_tasks = EXCLUDED.completed_tasks,
        failed_tasks = EXCLUDED.failed_tasks,
        active_tasks = EXCLUDED.active_tasks,
        avg_hours = EXCLUDED.avg_hours,
        avg_priority = EXCLUDED.avg_priority,
        unique_assignees = EXCLUDED.unique_assignees,
        avg_execution_seconds = EXCLUDED.avg_execution_seconds,
        successful_executions = EXCLUDED.successful_executions,
        duration_histogram = EXCLUDED.duration_histogram;
    GET DIAGNOSTICS task_keys = ROW_COUNT;

    -- The V13 query of mv_agent_performance_summary, for the changed keys only. A key without a
    -- day stands for every day of its agent in the window.
    WITH logged AS (
        DELETE FROM summary_changes_agent RETURNING date, organization_id, agent_id
    ),
    whole AS (
        SELECT DISTINCT l.organization_id, l.agent_id FROM logged l WHERE l.date IS NULL
    ),
    days AS (
        SELECT DISTINCT l.date, l.organization_id, l.agent_id
        FROM logged l
        WHERE l.date >= CURRENT_DATE - 30
          AND NOT EXISTS (SELECT 1 FROM whole w
                          WHERE w.organization_id = l.organization_id AND w.agent_id = l.agent_id)
    ),
    source AS (
        SELECT r.agent_id, r.organization_id, r.agent_type, r.window_start, r.started_count,
               r.completed_count, r.failed_count, r.tokens_used_sum, r.cost_micros_sum,
               r.performance_score_sum, r.performance_score_count, r.duration_ms_sum,
               r.duration_count, r.duration_histogram
        FROM days k
        JOIN agent_rollups_hourly r
          ON r.organization_id = k.organization_id AND r.agent_id = k.agent_id
         AND r.window_start >= k.date::timestamp AT TIME ZONE 'UTC'
         AND r.window_start < (k.date + 1)::timestamp AT TIME ZONE 'UTC'
        WHERE r.window_start >= agent_from
        UNION ALL
        SELECT r.agent_id, r.organization_id, r.agent_type, r.window_start, r.started_count,
               r.completed_count, r.failed_count, r.tokens_used_sum, r.cost_micros_sum,
               r.performance_score_sum, r.performance_score_count, r.duration_ms_sum,
               r.duration_count, r.duration_histogram
        FROM whole w
        JOIN agent_rollups_hourly r ON r.organization_id = w.organization_id AND r.agent_id = w.agent_id
        WHERE r.window_start >= agent_from
    ),
    computed AS (
        SELECT r.agent_id,
               r.organization_id,
               coalesce(ca.name, ('agent-' || left(r.agent_id::text, 8))::varchar) AS agent_name,
               coalesce(ca.agent_type, max(r.agent_type)::varchar) AS agent_type,
               (r.window_start AT TIME ZONE 'UTC')::date AS date,
               sum(r.started_count)::bigint AS total_tasks,
               sum(r.completed_count)::bigint AS completed_tasks,
               sum(r.failed_count)::bigint AS failed_tasks,
               CASE WHEN sum(r.started_count) > 0 THEN sum(r.tokens_used_sum)::numeric / sum(r.started_count) END AS avg_tokens,
               round(sum(r.cost_micros_sum)::numeric / 1000000, 6) AS total_cost,
               CASE WHEN sum(r.performance_score_count) > 0
                    THEN sum(r.performance_score_sum) / sum(r.performance_score_count) END AS avg_performance_score,
               CASE WHEN sum(r.duration_count) > 0
                    THEN sum(r.duration_ms_sum)::numeric / sum(r.duration_count) / 1000 END AS avg_completion_seconds,
               hg_merge(r.duration_histogram) AS duration_histogram
        FROM source r
        LEFT JOIN codegen_agents ca ON ca.id = r.agent_id AND ca.organization_id = r.organization_id
        WHERE ca.is_active IS DISTINCT FROM false
        GROUP BY r.agent_id, r.organization_id, ca.name, ca.agent_type, (r.window_start AT TIME ZONE 'UTC')::date
    ),
    emptied AS (
        DELETE FROM agent_performance_summary_store s
        WHERE (EXISTS (SELECT 1 FROM days k
                       WHERE s.date = k.date AND s.organization_id = k.organization_id
                         AND s.agent_id = k.agent_id)
               OR EXISTS (SELECT 1 FROM whole w
                          WHERE s.organization_id = w.organization_id AND s.agent_id = w.agent_id))
          AND NOT EXISTS (SELECT 1 FROM computed c
                          WHERE c.date = s.date AND c.organization_id = s.organization_id
                            AND c.agent_id = s.agent_id)
    )
    INSERT INTO agent_performance_summary_store AS s
    SELECT * FROM computed
    ON CONFLICT (date, organization_id, agent_id) DO UPDATE SET
        agent_name = EXCLUDED.agent_name,
        agent_type = EXCLUDED.agent_type,
        total_tasks = EXCLUDED.total_tasks,
        completed_tasks = EXCLUDED.completed_tasks,
        failed_tasks = EXCLUDED.failed_tasks,
        avg_tokens = EXCLUDED.avg_tokens,
        total_cost = EXCLUDED.total_cost,
        avg_performance_score = EXCLUDED.avg_performance_score,
        avg_completion_seconds = EXCLUDED.avg_completion_seconds,
        duration_histogram = EXCLUDED.duration_histogram;
    GET DIAGNOSTICS agent_keys = ROW_COUNT;

    RETURN jsonb_build_object(
        'task_summary_rows_recomputed', task_keys,
        'agent_summary_rows_recomputed', agent_keys,
        'task_summary_rebuilt', task_everything,
        'agent_summary_rebuilt', agent_everything);
END;
$$;

-- The two views, now over their tables (DROP ... CASCADE takes the per-organization views of V18
-- with them; they are created again below, as V18 had them, with their grant).
DROP MATERIALIZED VIEW mv_daily_task_summary CASCADE;
DROP MATERIALIZED VIEW mv_agent_performance_summary CASCADE;

-- Fill the tables: everything is logged as changed, then applied.
INSERT INTO summary_changes_task DEFAULT VALUES;
INSERT INTO summary_changes_agent DEFAULT VALUES;
SELECT refresh_performance_summaries();
-- The log holds nothing more (the triggers above lock their tables until this migration commits,
-- so no other writer has logged anything): leave it empty rather than full of dead rows.
TRUNCATE summary_changes_task, summary_changes_agent;

-- Ordered by organization: an analyst reads one organization's days, which then sit on a few
-- pages (and the planner keeps reading them by the (organization_id, date) index).
CREATE MATERIALIZED VIEW mv_daily_task_summary AS
SELECT * FROM daily_task_summary_store WHERE date >= CURRENT_DATE - 90
ORDER BY organization_id, date, project_id;
CREATE UNIQUE INDEX idx_mv_daily_task_summary_unique
    ON mv_daily_task_summary (date, organization_id, project_id);
CREATE INDEX idx_mv_daily_task_summary_org_date
    ON mv_daily_task_summary (organization_id, date);

CREATE MATERIALIZED VIEW mv_agent_performance_summary AS
SELECT * FROM agent_performance_summary_store WHERE date >= CURRENT_DATE - 30
ORDER BY organization_id, date, agent_id;
CREATE UNIQUE INDEX idx_mv_agent_performance_summary_unique
    ON mv_agent_performance_summary (agent_id, organization_id, date);
CREATE INDEX idx_mv_agent_performance_summary_org_date
    ON mv_agent_performance_summary (organization_id, date);

CREATE VIEW daily_task_summary WITH (security_barrier = true) AS
    SELECT * FROM mv_daily_task_summary WHERE organization_id = (SELECT hourglass_visible_organization());
CREATE VIEW agent_performance_summary WITH (security_barrier = true) AS
    SELECT * FROM mv_agent_performance_summary WHERE organization_id = (SELECT hourglass_visible_organization());

-- refresh_performance_views (V12), first applying the logged changes to the tables. Same result.
CREATE OR REPLACE FUNCTION refresh_performance_views()
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    start_time timestamptz;
    end_time timestamptz;
    summaries jsonb;
    refresh_stats jsonb;
BEGIN
    start_time := clock_timestamp();

    summaries := refresh_performance_summaries();
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_task_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_agent_performance_summary;
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_system_metrics_hourly;

    end_time := clock_timestamp();

    refresh_stats := jsonb_build_object(
        'start_time', start_time,
        'end_time', end_time,
        'duration_seconds', EXTRACT(EPOCH FROM (end_time - start_time)),
        'views_refreshed', ARRAY['mv_daily_task_summary', 'mv_agent_performance_summary', 'mv_system_metrics_hourly'],
        'summaries', summaries
    );

    PERFORM create_monthly_partition('system_metrics', (now() AT TIME ZONE 'UTC')::date);
    INSERT INTO system_metrics (metric_name, metric_type, value, unit, context)
    VALUES ('materialized_view_refresh_duration', 'performance',
            EXTRACT(EPOCH FROM (end_time - start_time)), 'seconds', refresh_stats);

    RETURN refresh_stats;
END;
$$;

CALL hourglass_assign_ownership();

GRANT SELECT ON daily_task_summary, agent_performance_summary TO hourglass_analyst;
GRANT MAINTAIN ON mv_daily_task_summary, mv_agent_performance_summary, daily_task_summary_store,
    agent_performance_summary_store, summary_changes_task, summary_changes_agent
    TO hourglass_maintainer;
GRANT EXECUTE ON FUNCTION refresh_performance_summaries() TO hourglass_maintainer;
