-- HOT and fillfactor: copies of grown agent rollups and agents with and without INCLUDE
-- columns and fillfactor 70. Then run five rounds, each statement its own transaction:
--   UPDATE <t> SET started_count = started_count + 1, revision = revision + 1, updated_at = now()
--     WHERE window_start >= (SELECT max(window_start) - interval '2 hours' FROM <t>) OR random() < 0.05;
--   UPDATE hot_agents[_ff] SET last_used_at = now(), updated_at = now();
-- and read n_tup_upd, n_tup_hot_upd from pg_stat_user_tables after pg_stat_force_next_flush().
\set ON_ERROR_STOP 1
DROP TABLE IF EXISTS hot_inc, hot_plain, hot_inc_ff, hot_plain_ff, hot_agents, hot_agents_ff;
-- 20,000 agent rollup rows as the grown database holds them, four ways.
CREATE TABLE hot_inc (LIKE agent_rollups_hourly INCLUDING DEFAULTS);
CREATE TABLE hot_inc_ff (LIKE agent_rollups_hourly INCLUDING DEFAULTS) WITH (fillfactor = 70);
CREATE TABLE hot_plain (LIKE agent_rollups_hourly INCLUDING DEFAULTS);
CREATE TABLE hot_plain_ff (LIKE agent_rollups_hourly INCLUDING DEFAULTS) WITH (fillfactor = 70);
INSERT INTO hot_inc SELECT * FROM agent_rollups_hourly LIMIT 20000;
INSERT INTO hot_inc_ff SELECT * FROM hot_inc;
INSERT INTO hot_plain SELECT * FROM hot_inc;
INSERT INTO hot_plain_ff SELECT * FROM hot_inc;
-- the V8 indexes: primary key and (organization_id, window_start) INCLUDE the measures
ALTER TABLE hot_inc ADD PRIMARY KEY (organization_id, agent_id, window_start);
ALTER TABLE hot_inc_ff ADD PRIMARY KEY (organization_id, agent_id, window_start);
ALTER TABLE hot_plain ADD PRIMARY KEY (organization_id, agent_id, window_start);
ALTER TABLE hot_plain_ff ADD PRIMARY KEY (organization_id, agent_id, window_start);
CREATE INDEX ON hot_inc (organization_id, window_start) INCLUDE (agent_id, started_count, completed_count, failed_count, tokens_used_sum, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count);
CREATE INDEX ON hot_inc_ff (organization_id, window_start) INCLUDE (agent_id, started_count, completed_count, failed_count, tokens_used_sum, cost_micros_sum, performance_score_sum, performance_score_count, duration_ms_sum, duration_count);
CREATE INDEX ON hot_plain (organization_id, window_start);
CREATE INDEX ON hot_plain_ff (organization_id, window_start);
-- codegen_agents as V4 + V14 (last_used_at INCLUDEd), with and without fillfactor
CREATE TABLE hot_agents (LIKE codegen_agents INCLUDING DEFAULTS);
CREATE TABLE hot_agents_ff (LIKE codegen_agents INCLUDING DEFAULTS) WITH (fillfactor = 70);
INSERT INTO hot_agents SELECT * FROM codegen_agents;
INSERT INTO hot_agents_ff SELECT * FROM codegen_agents;
ALTER TABLE hot_agents ADD PRIMARY KEY (id);
ALTER TABLE hot_agents_ff ADD PRIMARY KEY (id);
CREATE INDEX ON hot_agents (organization_id, agent_type, is_active) INCLUDE (name, last_used_at, usage_stats);
CREATE INDEX ON hot_agents_ff (organization_id, agent_type, is_active) INCLUDE (name, last_used_at, usage_stats);
