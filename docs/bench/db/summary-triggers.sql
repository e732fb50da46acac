-- V27's summary-change triggers' cost on the grown database: the same rolled-back batch with
-- the triggers and with them disabled, alternating; medians.
CREATE OR REPLACE FUNCTION pg_temp.attempt2(setup text, OUT tasks_ms double precision, OUT exec_ms double precision, OUT roll_ms double precision)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; t1 timestamptz; t2 timestamptz; t3 timestamptz;
BEGIN
  BEGIN
    IF setup <> '' THEN EXECUTE setup; END IF;
    t0 := clock_timestamp();
    INSERT INTO tasks AS t (id, organization_id, project_id, title, status, priority, assigned_to, created_at)
    SELECT md5('fk-task-' || i)::uuid, md5('hourglass-bench-org-' || (i % 1000))::uuid, md5('hourglass-bench-project-' || (i % 1000))::uuid,
           'fk test', 'pending', 3, md5('hourglass-bench-user-' || (i % 1000))::uuid, now()
    FROM generate_series(1, 2000) i;
    t1 := clock_timestamp();
    INSERT INTO task_executions (organization_id, task_id, status, started_at)
    SELECT md5('hourglass-bench-org-' || (i % 1000))::uuid, md5('fk-task-' || i)::uuid, 'running', now()
    FROM generate_series(1, 2000) i, generate_series(1, 2) k;
    t2 := clock_timestamp();
    -- 2,000 rollup upserts, half of them updates of stored hours (as the sink's rollup batches)
    INSERT INTO agent_rollups_hourly AS t (organization_id, agent_id, agent_type, window_start, window_end, started_count)
    SELECT md5('hourglass-bench-org-' || o)::uuid, md5('hourglass-bench-agent-' || o)::uuid, 'codegen', w, w + interval '1 hour', 1
    FROM generate_series(0, 999) o, (VALUES (date_trunc('hour', now()) - interval '2 hours'), (date_trunc('hour', now()))) x(w)
    ON CONFLICT (organization_id, agent_id, window_start) DO UPDATE SET started_count = t.started_count + 1;
    t3 := clock_timestamp();
    RAISE EXCEPTION 'rollback';
  EXCEPTION WHEN raise_exception THEN
    NULL;
  END;
  tasks_ms := 1000 * extract(epoch FROM t1 - t0);
  exec_ms := 1000 * extract(epoch FROM t2 - t1);
  roll_ms := 1000 * extract(epoch FROM t3 - t2);
END $$;
CREATE TEMP TABLE results (round int, variant text, tasks_ms float8, exec_ms float8, roll_ms float8);
DO $$
DECLARE
  v text[] := ARRAY['all', 'no_triggers'];
  s text[] := ARRAY['',
    'ALTER TABLE tasks DISABLE TRIGGER summary_changes_insert; ALTER TABLE task_executions DISABLE TRIGGER summary_changes_insert; ALTER TABLE agent_rollups_hourly DISABLE TRIGGER summary_changes_insert; ALTER TABLE agent_rollups_hourly DISABLE TRIGGER summary_changes_update'];
  r int; i int; k int; a record;
BEGIN
  FOR r IN 0 .. 10 LOOP
    FOR i IN 0 .. 1 LOOP
      k := 1 + (i + r) % 2;
      a := pg_temp.attempt2(s[k]);
      IF r > 0 THEN INSERT INTO results VALUES (r, v[k], a.tasks_ms, a.exec_ms, a.roll_ms); END IF;
    END LOOP;
  END LOOP;
END $$;
SELECT variant, count(*) AS rounds,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY tasks_ms)::numeric, 1) AS tasks_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY exec_ms)::numeric, 1) AS executions_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY roll_ms)::numeric, 1) AS rollups_ms
FROM results GROUP BY variant ORDER BY variant;
