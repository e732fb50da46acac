-- Daily rollups for the analyst functions (issue 18). get_agent_performance_metrics and
-- get_organization_analytics summed up to 720 hourly rows per entity for their 30 days (10 and 23 ms
-- at one client on the grown database, BENCHMARKS.md); the target of 10 ms at 32 clients during
-- ingest needs each call well under 1 ms. They now read one row per entity and UTC day:
--
--   task_rollups_daily         (organization, UTC day, project)          of task_rollups_hourly
--   agent_rollups_daily        (organization, UTC day, agent)            of agent_rollups_hourly
--   integration_rollups_daily  (organization, UTC day, integration type) of integration_rollups_hourly
--
-- each holding, per key, the number of hourly rows of that day (hour_rows) and the sums of the
-- measures the functions read. A row exists exactly when its day has at least one hourly row, as
-- the hourly query's GROUP BY gives a group exactly then.
--
-- Kept exact in the writer's transaction by statement-level triggers with transition tables on the
-- hourly tables: each statement adds, per daily key, the sum of its new rows minus the sum of its
-- old rows (an INSERT's new rows, an UPDATE's new minus old, a DELETE's old, negated), so that a
-- correction of a past hour, a late event, a row moved to another hour and a delete all land
-- exactly where they belong, whatever the order of the statements. A key is written only when
-- a sum changed. The sums are integers, and the performance score's sum is numeric, so the daily
-- rows are the exact sums of the hourly rows they cover whatever updates led there (a double
-- would drift with each delta). Dropping a rollup partition (drop_partitions_older_than, below)
-- deletes the daily rows of its month; TRUNCATE of an hourly table empties its daily table.
-- Not covered: a partition dropped, detached or attached by hand, or a TRUNCATE of one partition;
-- schema-sql/README.md says how to rebuild the daily rows then.
--
-- The functions keep their signatures, results (NULL and edge semantics, UTC days), SECURITY
-- INVOKER and grants; the daily tables get the hourly tables' row-level security and SELECT grant
-- for analysts, so that the functions read them as the caller.

CREATE TABLE task_rollups_daily (
    organization_id         uuid NOT NULL,
    project_id              uuid NOT NULL,
    day                     date NOT NULL,
    hour_rows               bigint NOT NULL,
    created_count           bigint NOT NULL,
    completed_count         bigint NOT NULL,
    PRIMARY KEY (organization_id, day, project_id)
);
CREATE TABLE agent_rollups_daily (
    organization_id         uuid NOT NULL,
    agent_id                uuid NOT NULL,
    day                     date NOT NULL,
    hour_rows               bigint NOT NULL,
    started_count           bigint NOT NULL,
    completed_count         bigint NOT NULL,
    failed_count            bigint NOT NULL,
    cost_micros_sum         bigint NOT NULL,
    performance_score_sum   numeric NOT NULL,
    performance_score_count bigint NOT NULL,
    duration_ms_sum         bigint NOT NULL,
    duration_count          bigint NOT NULL,
    PRIMARY KEY (organization_id, day, agent_id)
);
CREATE TABLE integration_rollups_daily (
    organization_id         uuid NOT NULL,
    integration_type        text NOT NULL,
    day                     date NOT NULL,
    hour_rows               bigint NOT NULL,
    event_count             bigint NOT NULL,
    error_count             bigint NOT NULL,
    PRIMARY KEY (organization_id, day, integration_type)
);

-- The hourly tables' security (V16, V18): analysts read the organization they are granted and
-- have set, the owner and the writer's policy see all. The writer gets no privilege: the triggers
-- write as the owner.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['task_rollups_daily', 'agent_rollups_daily', 'integration_rollups_daily'] LOOP
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO hourglass_owner USING (true) WITH CHECK (true)',
                       t || '_owner_all', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO hourglass_writer USING (true) WITH CHECK (true)',
                       t || '_writer_all', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO hourglass_analyst'
                       ' USING (organization_id = (SELECT hourglass_visible_organization()))',
                       t || '_analyst_own_organization', t);
    END LOOP;
END;
$$;

-- The triggers. Statement-level: one upsert per statement of the sink, of the distinct daily keys
-- it touched (at most one per organization and entity for a batch of the current hour). SECURITY
-- DEFINER: the writer may not write the daily tables itself. A trigger with transition tables has
-- one event, hence one function per table with a branch per event.
CREATE FUNCTION maintain_task_rollups_daily()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    emptied bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO task_rollups_daily AS d (organization_id, project_id, day, hour_rows, created_count, completed_count)
        SELECT c.organization_id, c.project_id, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.created_count)::bigint,
               sum(c.completed_count)::bigint
        FROM (SELECT n.organization_id, n.project_id, (n.window_start AT TIME ZONE 'UTC')::date AS day, 1 AS hour_rows, n.created_count, n.completed_count
            FROM changed_new n) AS c (organization_id, project_id, day, hour_rows, created_count, completed_count)
        GROUP BY c.organization_id, c.day, c.project_id
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.project_id
        ON CONFLICT (organization_id, day, project_id) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        created_count = d.created_count + EXCLUDED.created_count,
        completed_count = d.completed_count + EXCLUDED.completed_count;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        WITH changed AS (
        INSERT INTO task_rollups_daily AS d (organization_id, project_id, day, hour_rows, created_count, completed_count)
        SELECT c.organization_id, c.project_id, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.created_count)::bigint,
               sum(c.completed_count)::bigint
        FROM (SELECT n.organization_id, n.project_id, (n.window_start AT TIME ZONE 'UTC')::date AS day, 1 AS hour_rows, n.created_count, n.completed_count
            FROM changed_new n
            UNION ALL
            SELECT o.organization_id, o.project_id, (o.window_start AT TIME ZONE 'UTC')::date AS day, -1 AS hour_rows, -o.created_count, -o.completed_count
            FROM changed_old o) AS c (organization_id, project_id, day, hour_rows, created_count, completed_count)
        GROUP BY c.organization_id, c.day, c.project_id
        -- An update that changed no measure (a revision, is_final) writes nothing.
        HAVING (sum(c.hour_rows), sum(c.created_count), sum(c.completed_count)) <> (0, 0, 0)
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.project_id
        ON CONFLICT (organization_id, day, project_id) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        created_count = d.created_count + EXCLUDED.created_count,
        completed_count = d.completed_count + EXCLUDED.completed_count
        RETURNING d.hour_rows
        )
        SELECT count(*) INTO emptied FROM changed WHERE changed.hour_rows = 0;
    ELSE
        WITH changed AS (
        INSERT INTO task_rollups_daily AS d (organization_id, project_id, day, hour_rows, created_count, completed_count)
        SELECT c.organization_id, c.project_id, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.created_count)::bigint,
               sum(c.completed_count)::bigint
        FROM (SELECT o.organization_id, o.project_id, (o.window_start AT TIME ZONE 'UTC')::date AS day, -1 AS hour_rows, -o.created_count, -o.completed_count
            FROM changed_old o) AS c (organization_id, project_id, day, hour_rows, created_count, completed_count)
        GROUP BY c.organization_id, c.day, c.project_id
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.project_id
        ON CONFLICT (organization_id, day, project_id) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        created_count = d.created_count + EXCLUDED.created_count,
        completed_count = d.completed_count + EXCLUDED.completed_count
        RETURNING d.hour_rows
        )
        SELECT count(*) INTO emptied FROM changed WHERE changed.hour_rows = 0;
    END IF;
    -- A day left without hours has no row, as the hourly query gives no group for it.
    IF emptied > 0 THEN
        DELETE FROM task_rollups_daily d
        USING (SELECT DISTINCT o.organization_id, o.project_id, (o.window_start AT TIME ZONE 'UTC')::date AS day
               FROM changed_old o) o
        WHERE d.organization_id = o.organization_id AND d.day = o.day AND d.project_id = o.project_id
          AND d.hour_rows = 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION maintain_agent_rollups_daily()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    emptied bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO agent_rollups_daily AS d (organization_id, agent_id, day, hour_rows, started_count, completed_count, failed_count, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count)
        SELECT c.organization_id, c.agent_id, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.started_count)::bigint,
               sum(c.completed_count)::bigint,
               sum(c.failed_count)::bigint,
               sum(c.cost_micros_sum)::bigint,
               sum(c.performance_score_sum),
               sum(c.performance_score_count)::bigint,
               sum(c.duration_ms_sum)::bigint,
               sum(c.duration_count)::bigint
        FROM (SELECT n.organization_id, n.agent_id, (n.window_start AT TIME ZONE 'UTC')::date AS day, 1 AS hour_rows, n.started_count, n.completed_count, n.failed_count, n.cost_micros_sum, n.performance_score_sum::numeric, n.performance_score_count, n.duration_ms_sum, n.duration_count
            FROM changed_new n) AS c (organization_id, agent_id, day, hour_rows, started_count, completed_count, failed_count, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count)
        GROUP BY c.organization_id, c.day, c.agent_id
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.agent_id
        ON CONFLICT (organization_id, day, agent_id) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        started_count = d.started_count + EXCLUDED.started_count,
        completed_count = d.completed_count + EXCLUDED.completed_count,
        failed_count = d.failed_count + EXCLUDED.failed_count,
        cost_micros_sum = d.cost_micros_sum + EXCLUDED.cost_micros_sum,
        performance_score_sum = d.performance_score_sum + EXCLUDED.performance_score_sum,
        performance_score_count = d.performance_score_count + EXCLUDED.performance_score_count,
        duration_ms_sum = d.duration_ms_sum + EXCLUDED.duration_ms_sum,
        duration_count = d.duration_count + EXCLUDED.duration_count;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        WITH changed AS (
        INSERT INTO agent_rollups_daily AS d (organization_id, agent_id, day, hour_rows, started_count, completed_count, failed_count, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count)
        SELECT c.organization_id, c.agent_id, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.started_count)::bigint,
               sum(c.completed_count)::bigint,
               sum(c.failed_count)::bigint,
               sum(c.cost_micros_sum)::bigint,
               sum(c.performance_score_sum),
               sum(c.performance_score_count)::bigint,
               sum(c.duration_ms_sum)::bigint,
               sum(c.duration_count)::bigint
        FROM (SELECT n.organization_id, n.agent_id, (n.window_start AT TIME ZONE 'UTC')::date AS day, 1 AS hour_rows, n.started_count, n.completed_count, n.failed_count, n.cost_micros_sum, n.performance_score_sum::numeric, n.performance_score_count, n.duration_ms_sum, n.duration_count
            FROM changed_new n
            UNION ALL
            SELECT o.organization_id, o.agent_id, (o.window_start AT TIME ZONE 'UTC')::date AS day, -1 AS hour_rows, -o.started_count, -o.completed_count, -o.failed_count, -o.cost_micros_sum, -o.performance_score_sum::numeric, -o.performance_score_count, -o.duration_ms_sum, -o.duration_count
            FROM changed_old o) AS c (organization_id, agent_id, day, hour_rows, started_count, completed_count, failed_count, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count)
        GROUP BY c.organization_id, c.day, c.agent_id
        -- An update that changed no measure (a revision, is_final) writes nothing.
        HAVING (sum(c.hour_rows), sum(c.started_count), sum(c.completed_count), sum(c.failed_count), sum(c.cost_micros_sum), sum(c.performance_score_sum), sum(c.performance_score_count), sum(c.duration_ms_sum), sum(c.duration_count)) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.agent_id
        ON CONFLICT (organization_id, day, agent_id) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        started_count = d.started_count + EXCLUDED.started_count,
        completed_count = d.completed_count + EXCLUDED.completed_count,
        failed_count = d.failed_count + EXCLUDED.failed_count,
        cost_micros_sum = d.cost_micros_sum + EXCLUDED.cost_micros_sum,
        performance_score_sum = d.performance_score_sum + EXCLUDED.performance_score_sum,
        performance_score_count = d.performance_score_count + EXCLUDED.performance_score_count,
        duration_ms_sum = d.duration_ms_sum + EXCLUDED.duration_ms_sum,
        duration_count = d.duration_count + EXCLUDED.duration_count
        RETURNING d.hour_rows
        )
        SELECT count(*) INTO emptied FROM changed WHERE changed.hour_rows = 0;
    ELSE
        WITH changed AS (
        INSERT INTO agent_rollups_daily AS d (organization_id, agent_id, day, hour_rows, started_count, completed_count, failed_count, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count)
        SELECT c.organization_id, c.agent_id, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.started_count)::bigint,
               sum(c.completed_count)::bigint,
               sum(c.failed_count)::bigint,
               sum(c.cost_micros_sum)::bigint,
               sum(c.performance_score_sum),
               sum(c.performance_score_count)::bigint,
               sum(c.duration_ms_sum)::bigint,
               sum(c.duration_count)::bigint
        FROM (SELECT o.organization_id, o.agent_id, (o.window_start AT TIME ZONE 'UTC')::date AS day, -1 AS hour_rows, -o.started_count, -o.completed_count, -o.failed_count, -o.cost_micros_sum, -o.performance_score_sum::numeric, -o.performance_score_count, -o.duration_ms_sum, -o.duration_count
            FROM changed_old o) AS c (organization_id, agent_id, day, hour_rows, started_count, completed_count, failed_count, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count)
        GROUP BY c.organization_id, c.day, c.agent_id
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.agent_id
        ON CONFLICT (organization_id, day, agent_id) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        started_count = d.started_count + EXCLUDED.started_count,
        completed_count = d.completed_count + EXCLUDED.completed_count,
        failed_count = d.failed_count + EXCLUDED.failed_count,
        cost_micros_sum = d.cost_micros_sum + EXCLUDED.cost_micros_sum,
        performance_score_sum = d.performance_score_sum + EXCLUDED.performance_score_sum,
        performance_score_count = d.performance_score_count + EXCLUDED.performance_score_count,
        duration_ms_sum = d.duration_ms_sum + EXCLUDED.duration_ms_sum,
        duration_count = d.duration_count + EXCLUDED.duration_count
        RETURNING d.hour_rows
        )
        SELECT count(*) INTO emptied FROM changed WHERE changed.hour_rows = 0;
    END IF;
    -- A day left without hours has no row, as the hourly query gives no group for it.
    IF emptied > 0 THEN
        DELETE FROM agent_rollups_daily d
        USING (SELECT DISTINCT o.organization_id, o.agent_id, (o.window_start AT TIME ZONE 'UTC')::date AS day
               FROM changed_old o) o
        WHERE d.organization_id = o.organization_id AND d.day = o.day AND d.agent_id = o.agent_id
          AND d.hour_rows = 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION maintain_integration_rollups_daily()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    emptied bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO integration_rollups_daily AS d (organization_id, integration_type, day, hour_rows, event_count, error_count)
        SELECT c.organization_id, c.integration_type, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.event_count)::bigint,
               sum(c.error_count)::bigint
        FROM (SELECT n.organization_id, n.integration_type, (n.window_start AT TIME ZONE 'UTC')::date AS day, 1 AS hour_rows, n.event_count, n.error_count
            FROM changed_new n) AS c (organization_id, integration_type, day, hour_rows, event_count, error_count)
        GROUP BY c.organization_id, c.day, c.integration_type
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.integration_type
        ON CONFLICT (organization_id, day, integration_type) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        event_count = d.event_count + EXCLUDED.event_count,
        error_count = d.error_count + EXCLUDED.error_count;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        WITH changed AS (
        INSERT INTO integration_rollups_daily AS d (organization_id, integration_type, day, hour_rows, event_count, error_count)
        SELECT c.organization_id, c.integration_type, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.event_count)::bigint,
               sum(c.error_count)::bigint
        FROM (SELECT n.organization_id, n.integration_type, (n.window_start AT TIME ZONE 'UTC')::date AS day, 1 AS hour_rows, n.event_count, n.error_count
            FROM changed_new n
            UNION ALL
            SELECT o.organization_id, o.integration_type, (o.window_start AT TIME ZONE 'UTC')::date AS day, -1 AS hour_rows, -o.event_count, -o.error_count
            FROM changed_old o) AS c (organization_id, integration_type, day, hour_rows, event_count, error_count)
        GROUP BY c.organization_id, c.day, c.integration_type
        -- An update that changed no measure (a revision, is_final) writes nothing.
        HAVING (sum(c.hour_rows), sum(c.event_count), sum(c.error_count)) <> (0, 0, 0)
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.integration_type
        ON CONFLICT (organization_id, day, integration_type) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        event_count = d.event_count + EXCLUDED.event_count,
        error_count = d.error_count + EXCLUDED.error_count
        RETURNING d.hour_rows
        )
        SELECT count(*) INTO emptied FROM changed WHERE changed.hour_rows = 0;
    ELSE
        WITH changed AS (
        INSERT INTO integration_rollups_daily AS d (organization_id, integration_type, day, hour_rows, event_count, error_count)
        SELECT c.organization_id, c.integration_type, c.day,
               sum(c.hour_rows)::bigint,
               sum(c.event_count)::bigint,
               sum(c.error_count)::bigint
        FROM (SELECT o.organization_id, o.integration_type, (o.window_start AT TIME ZONE 'UTC')::date AS day, -1 AS hour_rows, -o.event_count, -o.error_count
            FROM changed_old o) AS c (organization_id, integration_type, day, hour_rows, event_count, error_count)
        GROUP BY c.organization_id, c.day, c.integration_type
        -- One order for every writer's row locks.
        ORDER BY c.organization_id, c.day, c.integration_type
        ON CONFLICT (organization_id, day, integration_type) DO UPDATE SET
        hour_rows = d.hour_rows + EXCLUDED.hour_rows,
        event_count = d.event_count + EXCLUDED.event_count,
        error_count = d.error_count + EXCLUDED.error_count
        RETURNING d.hour_rows
        )
        SELECT count(*) INTO emptied FROM changed WHERE changed.hour_rows = 0;
    END IF;
    -- A day left without hours has no row, as the hourly query gives no group for it.
    IF emptied > 0 THEN
        DELETE FROM integration_rollups_daily d
        USING (SELECT DISTINCT o.organization_id, o.integration_type, (o.window_start AT TIME ZONE 'UTC')::date AS day
               FROM changed_old o) o
        WHERE d.organization_id = o.organization_id AND d.day = o.day AND d.integration_type = o.integration_type
          AND d.hour_rows = 0;
    END IF;
    RETURN NULL;
END;
$$;

-- TRUNCATE of an hourly table: no hour is left.
CREATE FUNCTION truncate_rollups_daily()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_ARGV[0] = 'task_rollups_daily' THEN
        DELETE FROM task_rollups_daily;
    ELSIF TG_ARGV[0] = 'agent_rollups_daily' THEN
        DELETE FROM agent_rollups_daily;
    ELSE
        DELETE FROM integration_rollups_daily;
    END IF;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT * FROM (VALUES
            ('task_rollups_hourly', 'task_rollups_daily', 'maintain_task_rollups_daily'),
            ('agent_rollups_hourly', 'agent_rollups_daily', 'maintain_agent_rollups_daily'),
            ('integration_rollups_hourly', 'integration_rollups_daily', 'maintain_integration_rollups_daily'))
            AS v(hourly, daily, fn)
    LOOP
        EXECUTE format('CREATE TRIGGER rollups_daily_insert AFTER INSERT ON public.%I'
                       ' REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       t.hourly, t.fn);
        EXECUTE format('CREATE TRIGGER rollups_daily_update AFTER UPDATE ON public.%I'
                       ' REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION %I()', t.hourly, t.fn);
        EXECUTE format('CREATE TRIGGER rollups_daily_delete AFTER DELETE ON public.%I'
                       ' REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       t.hourly, t.fn);
        EXECUTE format('CREATE TRIGGER rollups_daily_truncate AFTER TRUNCATE ON public.%I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION truncate_rollups_daily(%L)', t.hourly, t.daily);
    END LOOP;
END;
$$;

-- Fill the daily tables from the hourly rows. The triggers above lock the hourly tables against
-- writers until this migration commits, so no write falls between the two.
INSERT INTO task_rollups_daily (organization_id, project_id, day, hour_rows, created_count, completed_count)
SELECT r.organization_id, r.project_id, (r.window_start AT TIME ZONE 'UTC')::date, count(*), sum(r.created_count), sum(r.completed_count)
FROM task_rollups_hourly r
GROUP BY 1, 2, 3;
INSERT INTO agent_rollups_daily (organization_id, agent_id, day, hour_rows, started_count, completed_count, failed_count, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count)
SELECT r.organization_id, r.agent_id, (r.window_start AT TIME ZONE 'UTC')::date, count(*), sum(r.started_count), sum(r.completed_count), sum(r.failed_count), sum(r.cost_micros_sum), sum(r.performance_score_sum::numeric), sum(r.performance_score_count), sum(r.duration_ms_sum), sum(r.duration_count)
FROM agent_rollups_hourly r
GROUP BY 1, 2, 3;
INSERT INTO integration_rollups_daily (organization_id, integration_type, day, hour_rows, event_count, error_count)
SELECT r.organization_id, r.integration_type, (r.window_start AT TIME ZONE 'UTC')::date, count(*), sum(r.event_count), sum(r.error_count)
FROM integration_rollups_hourly r
GROUP BY 1, 2, 3;

-- V12's function over the daily rows. The period is the same as V12's (hours whose window_start is
-- after now() - time_period - 1 hour, with no upper bound): the whole UTC days after that instant
-- come from agent_rollups_daily, the hours of its own, partial day from agent_rollups_hourly
-- (24 at most). The sums are the same integers (and numeric for the score: see the header), then
-- every expression after them is V12's.
CREATE OR REPLACE FUNCTION get_agent_performance_metrics(
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
DECLARE
    -- V12's bound on window_start, the same expression (intervals of days follow the session's
    -- TimeZone in both).
    since timestamptz := now() - time_period - interval '1 hour';
    -- The first UTC day all of whose hours start after since.
    first_whole_day date := (since AT TIME ZONE 'UTC')::date + 1;
    whole_from timestamptz := first_whole_day::timestamp AT TIME ZONE 'UTC';
BEGIN
    RETURN QUERY
    WITH parts AS (
        SELECT d.agent_id, d.started_count AS started, d.completed_count AS completed,
               d.failed_count AS failed, d.duration_ms_sum AS duration_ms, d.duration_count AS durations,
               d.cost_micros_sum AS cost_micros, d.performance_score_sum AS score_sum,
               d.performance_score_count AS scores
        FROM agent_rollups_daily d
        WHERE d.organization_id = org_id AND d.day >= first_whole_day
        UNION ALL
        SELECT r.agent_id, r.started_count, r.completed_count, r.failed_count, r.duration_ms_sum,
               r.duration_count, r.cost_micros_sum, r.performance_score_sum::numeric,
               r.performance_score_count
        FROM agent_rollups_hourly r
        WHERE r.organization_id = org_id
          AND r.window_start > since AND r.window_start < whole_from
    ),
    rollup AS (
        SELECT p.agent_id,
               sum(p.started)::bigint AS started,
               sum(p.completed)::bigint AS completed,
               sum(p.failed)::bigint AS failed,
               sum(p.duration_ms)::numeric AS duration_ms,
               sum(p.durations)::bigint AS durations,
               sum(p.cost_micros)::numeric AS cost_micros,
               -- V12 summed doubles: the same sum, as a double again.
               sum(p.score_sum)::double precision AS score_sum,
               sum(p.scores)::bigint AS scores
        FROM parts p
        GROUP BY p.agent_id
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

-- V12's function over the daily rows. Its period is made of whole UTC days, so the daily rows
-- cover it exactly; a day appears when any of the three tables has a row for it, as in V12. Every
-- expression after the per-day sums is V12's.
CREATE OR REPLACE FUNCTION get_organization_analytics(
    org_id uuid,
    start_date date DEFAULT (CURRENT_DATE - 30),
    end_date date DEFAULT CURRENT_DATE
)
RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    result jsonb;
BEGIN
    WITH task_days AS (
        SELECT d.day,
               sum(d.created_count) AS tasks_created,
               sum(d.completed_count) AS tasks_completed
        FROM task_rollups_daily d
        WHERE d.organization_id = org_id AND d.day >= start_date AND d.day <= end_date
        GROUP BY 1
    ),
    agent_days AS (
        SELECT d.day,
               sum(d.started_count) AS agent_tasks,
               sum(d.cost_micros_sum) AS cost_micros
        FROM agent_rollups_daily d
        WHERE d.organization_id = org_id AND d.day >= start_date AND d.day <= end_date
        GROUP BY 1
    ),
    integration_days AS (
        SELECT d.day,
               sum(d.event_count) AS integration_events,
               sum(d.error_count) AS integration_errors
        FROM integration_rollups_daily d
        WHERE d.organization_id = org_id AND d.day >= start_date AND d.day <= end_date
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

-- V9's function, which now also deletes the daily rows of a rollup partition it drops: a DROP
-- TABLE fires no trigger, and a partition holds whole UTC days (its bounds are UTC midnights), so
-- the daily rows of its month are exactly the ones its hours made.
CREATE OR REPLACE FUNCTION drop_partitions_older_than(retention interval DEFAULT NULL, only_table text DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    t record;
    part record;
    cutoff timestamptz;
    partition_start date;
    partition_end timestamptz;
BEGIN
    IF retention IS NOT NULL AND retention <= interval '0' THEN
        RAISE EXCEPTION 'Invalid value % for retention: must be positive', retention
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR t IN
        SELECT p.table_name, coalesce(drop_partitions_older_than.retention, p.retention) AS keep
        FROM partitioned_tables p
        WHERE only_table IS NULL OR p.table_name = only_table
        ORDER BY p.table_name
    LOOP
        cutoff := now() - t.keep;
        FOR part IN
            SELECT c.relname
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class parent ON parent.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = parent.relnamespace
            WHERE n.nspname = 'public' AND parent.relname = t.table_name
              AND c.relname ~ ('^' || t.table_name || '_p[0-9]{6}$')
            ORDER BY c.relname
        LOOP
            partition_start := to_date(right(part.relname, 6), 'YYYYMM');
            partition_end := (partition_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';
            IF partition_end <= cutoff THEN
                EXECUTE format('DROP TABLE public.%I', part.relname);
                IF t.table_name IN ('task_rollups_hourly', 'agent_rollups_hourly', 'integration_rollups_hourly') THEN
                    EXECUTE format('DELETE FROM public.%I WHERE day >= $1 AND day < $2',
                                   replace(t.table_name, '_hourly', '_daily'))
                        USING partition_start, (partition_start + interval '1 month')::date;
                END IF;
                RETURN NEXT part.relname::text;
            END IF;
        END LOOP;
    END LOOP;
END;
$$;

CALL hourglass_assign_ownership();

GRANT SELECT ON task_rollups_daily, agent_rollups_daily, integration_rollups_daily TO hourglass_analyst;
GRANT MAINTAIN ON task_rollups_daily, agent_rollups_daily, integration_rollups_daily TO hourglass_maintainer;
