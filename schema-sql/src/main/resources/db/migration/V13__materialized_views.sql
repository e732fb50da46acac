-- The performance guide's materialized views, computed from the rollup tables where the data is
-- there (counts, sums, durations, costs) and from the current-state tables for what only they know
-- (open tasks, priorities, assignees). Days are UTC days. Refresh with refresh_performance_views();
-- each view has a unique index on plain columns, which REFRESH ... CONCURRENTLY requires.

-- duration_histogram (the day's hours merged) gives percentiles over any range of days from 30 or 90
-- rows instead of 24 times as many rollup rows: hg_percentile(hg_merge(duration_histogram), 0.95).

-- Per UTC day, organization and project over the last 90 days. From task_rollups_hourly (events of
-- the day): total_tasks (created), completed_tasks, failed_tasks, avg_hours (mean actual hours of
-- tasks finished that day). From tasks and task_executions (tasks created that day, current state):
-- active_tasks, avg_priority, unique_assignees, avg_execution_seconds, successful_executions.
CREATE MATERIALIZED VIEW mv_daily_task_summary AS
WITH rollup_days AS (
    SELECT (r.window_start AT TIME ZONE 'UTC')::date AS date,
           r.organization_id,
           r.project_id,
           sum(r.created_count)::bigint AS total_tasks,
           sum(r.completed_count)::bigint AS completed_tasks,
           sum(r.failed_count)::bigint AS failed_tasks,
           sum(r.actual_hours_sum) AS actual_hours_sum,
           sum(r.actual_hours_count)::bigint AS actual_hours_count,
           hg_merge(r.duration_histogram) AS duration_histogram
    FROM task_rollups_hourly r
    WHERE r.window_start >= (CURRENT_DATE - 90)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 1, 2, 3
),
task_days AS (
    SELECT (t.created_at AT TIME ZONE 'UTC')::date AS date,
           t.organization_id,
           t.project_id,
           count(*) FILTER (WHERE t.status IN ('pending', 'in_progress')) AS active_tasks,
           avg(t.priority) AS avg_priority,
           count(DISTINCT t.assigned_to) AS unique_assignees,
           sum(e.seconds_sum) / nullif(sum(e.seconds_count), 0) AS avg_execution_seconds,
           coalesce(sum(e.completed), 0)::bigint AS successful_executions
    FROM tasks t
    -- One row per task (executions aggregated first), so a task with several executions counts once.
    LEFT JOIN (
        SELECT te.task_id,
               sum(EXTRACT(EPOCH FROM (te.completed_at - te.started_at))) AS seconds_sum,
               count(te.completed_at - te.started_at) AS seconds_count,
               count(*) FILTER (WHERE te.status = 'completed') AS completed
        FROM task_executions te
        GROUP BY te.task_id
    ) e ON e.task_id = t.id
    WHERE t.created_at >= (CURRENT_DATE - 90)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 1, 2, 3
)
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
    ON d.date = r.date AND d.organization_id = r.organization_id AND d.project_id = r.project_id;

CREATE UNIQUE INDEX idx_mv_daily_task_summary_unique
    ON mv_daily_task_summary (date, organization_id, project_id);
CREATE INDEX idx_mv_daily_task_summary_org_date
    ON mv_daily_task_summary (organization_id, date);

-- Per active agent and UTC day over the last 30 days, from agent_rollups_hourly joined to
-- codegen_agents for name and type (agents not yet in codegen_agents appear under a generated name).
CREATE MATERIALIZED VIEW mv_agent_performance_summary AS
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
FROM agent_rollups_hourly r
LEFT JOIN codegen_agents ca ON ca.id = r.agent_id AND ca.organization_id = r.organization_id
WHERE r.window_start >= (CURRENT_DATE - 30)::timestamp AT TIME ZONE 'UTC'
  AND ca.is_active IS DISTINCT FROM false
GROUP BY r.agent_id, r.organization_id, ca.name, ca.agent_type, (r.window_start AT TIME ZONE 'UTC')::date;

CREATE UNIQUE INDEX idx_mv_agent_performance_summary_unique
    ON mv_agent_performance_summary (agent_id, organization_id, date);
CREATE INDEX idx_mv_agent_performance_summary_org_date
    ON mv_agent_performance_summary (organization_id, date);

-- Per hour, organization and metric over the last 7 days, from system_metrics (no rollup of it
-- exists). organization_id is NULL for database-wide metrics; the unique index treats NULLs as
-- equal so each hour and metric has one such row.
CREATE MATERIALIZED VIEW mv_system_metrics_hourly AS
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
WHERE m.timestamp >= CURRENT_TIMESTAMP - interval '7 days'
GROUP BY 1, 2, 3, 4;

CREATE UNIQUE INDEX idx_mv_system_metrics_hourly_unique
    ON mv_system_metrics_hourly (hour, organization_id, metric_name, metric_type) NULLS NOT DISTINCT;
CREATE INDEX idx_mv_system_metrics_hourly_org_hour
    ON mv_system_metrics_hourly (organization_id, hour);
