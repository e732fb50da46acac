-- Foreign keys' cost on the grown database: a sink-like batch rolled back, with the raw-event
-- tables' foreign keys and without them (dropped inside the transaction), alternating; medians.
CREATE OR REPLACE FUNCTION pg_temp.attempt(setup text, OUT tasks_ms double precision, OUT exec_ms double precision, OUT integ_ms double precision)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; t1 timestamptz; t2 timestamptz; t3 timestamptz;
BEGIN
  BEGIN
    IF setup <> '' THEN EXECUTE setup; END IF;
    t0 := clock_timestamp();
    -- a sink batch: 2,000 new tasks (with assignee), then 4,000 executions of them, then 4,000 integration events
    INSERT INTO tasks (id, organization_id, project_id, title, status, priority, assigned_to, created_at)
    SELECT md5('fk-task-' || i)::uuid, md5('hourglass-bench-org-' || (i % 1000))::uuid, md5('hourglass-bench-project-' || (i % 1000))::uuid,
           'fk test', 'pending', 3, md5('hourglass-bench-user-' || (i % 1000))::uuid, now()
    FROM generate_series(1, 2000) i;
    t1 := clock_timestamp();
    INSERT INTO task_executions (organization_id, task_id, status, started_at)
    SELECT md5('hourglass-bench-org-' || (i % 1000))::uuid, md5('fk-task-' || i)::uuid, 'running', now()
    FROM generate_series(1, 2000) i, generate_series(1, 2) k;
    t2 := clock_timestamp();
    INSERT INTO integration_events (organization_id, integration_type, event_type, status, created_at)
    SELECT md5('hourglass-bench-org-' || (i % 1000))::uuid, 'github', 'push', 'success', now()
    FROM generate_series(1, 4000) i;
    t3 := clock_timestamp();
    RAISE EXCEPTION 'rollback';
  EXCEPTION WHEN raise_exception THEN
    NULL;
  END;
  tasks_ms := 1000 * extract(epoch FROM t1 - t0);
  exec_ms := 1000 * extract(epoch FROM t2 - t1);
  integ_ms := 1000 * extract(epoch FROM t3 - t2);
END $$;
CREATE TEMP TABLE results (round int, variant text, tasks_ms float8, exec_ms float8, integ_ms float8);
DO $$
DECLARE
  v text[] := ARRAY['all', 'no_fk', 'no_triggers'];
  s text[] := ARRAY['',
    'ALTER TABLE tasks DROP CONSTRAINT tasks_assigned_to_fkey, DROP CONSTRAINT tasks_organization_id_fkey, DROP CONSTRAINT tasks_project_same_organization; ALTER TABLE task_executions DROP CONSTRAINT task_executions_task_same_organization; ALTER TABLE integration_events DROP CONSTRAINT integration_events_organization_id_fkey',
    'ALTER TABLE tasks DISABLE TRIGGER summary_changes_insert; ALTER TABLE task_executions DISABLE TRIGGER summary_changes_insert'];
  r int; i int; k int; a record;
BEGIN
  FOR r IN 0 .. 5 LOOP
    FOR i IN 0 .. 2 LOOP
      k := 1 + (i + r) % 3;
      a := pg_temp.attempt(s[k]);
      IF r > 0 THEN INSERT INTO results VALUES (r, v[k], a.tasks_ms, a.exec_ms, a.integ_ms); END IF;
    END LOOP;
  END LOOP;
END $$;
SELECT variant, count(*) AS rounds,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY tasks_ms)::numeric, 1) AS tasks_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY exec_ms)::numeric, 1) AS executions_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY integ_ms)::numeric, 1) AS integration_ms
FROM results GROUP BY variant ORDER BY variant;
