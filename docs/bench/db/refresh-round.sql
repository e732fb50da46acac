-- What a few minutes of the pipeline write on the grown database (the query benchmark's loader):
-- 20 organizations' current hour of task and agent rollups and 2,000 new tasks. Run it, then time
-- SELECT refresh_performance_views(); (BENCHMARKS.md, findings: after the findings).
\set ON_ERROR_STOP 1
INSERT INTO task_rollups_hourly AS t (organization_id, project_id, window_start, window_end, created_count)
SELECT md5('hourglass-bench-org-' || o)::uuid, md5('hourglass-bench-project-' || o)::uuid, date_trunc('hour', now()), date_trunc('hour', now()) + interval '1 hour', 1 FROM generate_series(0, 19) o
ON CONFLICT (organization_id, project_id, window_start) DO UPDATE SET created_count = t.created_count + 1;
INSERT INTO agent_rollups_hourly AS t (organization_id, agent_id, agent_type, window_start, window_end, started_count)
SELECT md5('hourglass-bench-org-' || o)::uuid, md5('hourglass-bench-agent-' || o)::uuid, 'codegen', date_trunc('hour', now()), date_trunc('hour', now()) + interval '1 hour', 1 FROM generate_series(0, 19) o
ON CONFLICT (organization_id, agent_id, window_start) DO UPDATE SET started_count = t.started_count + 1;
INSERT INTO tasks (id, organization_id, project_id, title, status, priority, created_at)
SELECT gen_random_uuid(), md5('hourglass-bench-org-' || (i % 20))::uuid, md5('hourglass-bench-project-' || (i % 20))::uuid, 'new', 'pending', 3, now() FROM generate_series(1, 2000) i;
