-- Indexes on the partitioned tables. PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned
-- table; at migration time these tables are new and empty, so a plain CREATE INDEX on the parent is
-- instant and every partition, present and future, gets the index. (To add an index to a large live
-- partitioned table later: CREATE INDEX ... ON ONLY parent, then CREATE INDEX CONCURRENTLY on each
-- partition and ALTER INDEX ... ATTACH PARTITION; see schema-sql/README.md.)

-- The guide's predicate "processed = false OR created_at >= NOW() - INTERVAL '1 day'" is not
-- allowed (not immutable). The queue of unprocessed events gets a partial index; recent events of a
-- type are served by (integration_type, created_at DESC) in the current month's partition. A query
-- with the guide's condition combines both by a BitmapOr.
CREATE INDEX idx_integration_events_processing
    ON integration_events (integration_type, processed, created_at DESC)
    WHERE processed = false;

CREATE INDEX idx_integration_events_type_created
    ON integration_events (integration_type, created_at DESC);

-- Not in the seed: one organization's events over a time range (analysts, the organization FK).
CREATE INDEX idx_integration_events_organization_created
    ON integration_events (organization_id, created_at DESC);

CREATE INDEX idx_metrics_org_name_time_value
    ON system_metrics (organization_id, metric_name, timestamp DESC)
    INCLUDE (value, unit, context);

-- Not in the seed: rows are appended in time order, so a BRIN index finds a time range (the last
-- hours, for materialized view refreshes and health checks) for a few pages of index.
CREATE INDEX idx_system_metrics_timestamp_brin ON system_metrics USING brin (timestamp);
CREATE INDEX idx_integration_events_created_brin ON integration_events USING brin (created_at);
CREATE INDEX idx_task_rollups_hourly_window_brin ON task_rollups_hourly USING brin (window_start);
CREATE INDEX idx_agent_rollups_hourly_window_brin ON agent_rollups_hourly USING brin (window_start);
CREATE INDEX idx_integration_rollups_hourly_window_brin ON integration_rollups_hourly USING brin (window_start);
