-- The database guidelines: query cache, slow-query log, the performance_metrics view, the audit log
-- and the maintenance procedures.

-- Query cache (guidelines, "Caching Strategy"): time-based invalidation through expires_at.
CREATE TABLE query_cache (
    cache_key   text PRIMARY KEY,
    cache_value jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT query_cache_expires_after_created CHECK (expires_at > created_at)
);
CREATE INDEX idx_query_cache_expiry ON query_cache (expires_at);

-- The cached value of key, or NULL when absent or expired.
CREATE FUNCTION query_cache_get(key text)
RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT cache_value FROM query_cache WHERE cache_key = key AND expires_at > now()
$$;

-- Stores value under key for ttl, replacing any earlier value.
CREATE FUNCTION query_cache_put(key text, value jsonb, ttl interval)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO query_cache (cache_key, cache_value, created_at, expires_at)
    VALUES (key, value, now(), now() + ttl)
    ON CONFLICT (cache_key) DO UPDATE
        SET cache_value = excluded.cache_value, created_at = excluded.created_at, expires_at = excluded.expires_at
$$;

-- Deletes expired entries (idx_query_cache_expiry serves the range); returns how many.
CREATE FUNCTION cleanup_query_cache()
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    removed integer;
BEGIN
    DELETE FROM query_cache WHERE expires_at <= now();
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;

-- Slow-query log (guidelines, "Performance Monitoring"), filled from pg_stat_statements by
-- capture_slow_queries(); PostgreSQL's own log_min_duration_statement writes to the server log.
CREATE TABLE slow_query_log (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    query_text     text,
    execution_time interval,
    calls          bigint,
    queryid        bigint,
    captured_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_slow_query_log_captured ON slow_query_log (captured_at DESC);

-- Copies the statements of this database whose mean time exceeds threshold_ms into slow_query_log;
-- returns how many. Reads pg_stat_statements when installed, otherwise records nothing.
CREATE FUNCTION capture_slow_queries(threshold_ms double precision DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    captured integer := 0;
BEGIN
    IF to_regclass('pg_stat_statements') IS NULL THEN
        RETURN 0;
    END IF;
    BEGIN
        INSERT INTO slow_query_log (query_text, execution_time, calls, queryid)
        SELECT s.query, make_interval(secs => s.mean_exec_time / 1000.0), s.calls, s.queryid
        FROM pg_stat_statements s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND s.mean_exec_time > threshold_ms;
        GET DIAGNOSTICS captured = ROW_COUNT;
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        -- Installed but not in shared_preload_libraries.
        RETURN 0;
    END;
    RETURN captured;
END;
$$;

-- Guidelines, "Performance Metrics": table access counters.
CREATE VIEW performance_metrics AS
SELECT schemaname, relname, seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_del
FROM pg_stat_user_tables;

-- Audit log (guidelines, "Audit Logging").
CREATE TABLE audit_log (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    table_name      text NOT NULL,
    operation       text NOT NULL CONSTRAINT audit_log_operation_known CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    organization_id uuid,
    old_data        jsonb,
    new_data        jsonb,
    -- The application user, from the session setting hourglass.user_id when set.
    user_id         uuid,
    -- The login role (session_user: inside the SECURITY DEFINER trigger current_user is the owner).
    db_user         text NOT NULL DEFAULT session_user,
    timestamp       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_audit_log_table_time ON audit_log (table_name, timestamp DESC);
CREATE INDEX idx_audit_log_organization_time ON audit_log (organization_id, timestamp DESC);

-- SECURITY DEFINER: the roles that change audited tables need no privilege on audit_log itself.
CREATE FUNCTION audit_row_change()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    app_user text := current_setting('hourglass.user_id', true);
    old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
    org text := coalesce(new_row, old_row) ->> CASE WHEN TG_TABLE_NAME = 'organizations' THEN 'id' ELSE 'organization_id' END;
BEGIN
    INSERT INTO audit_log (table_name, operation, organization_id, old_data, new_data, user_id)
    VALUES (
        TG_TABLE_NAME, TG_OP, org::uuid, old_row, new_row,
        -- A malformed setting must not make the audited write fail.
        CASE WHEN app_user ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN app_user::uuid END);
    RETURN NULL;
END;
$$;

-- The guidelines audit users (and their own tables); here: the tables that configure a tenant.
-- Event-driven tables (tasks, agent_tasks, ...) are not audited: they change with every event and
-- their history is in Kafka and the rollups.
CREATE TRIGGER audit_organizations AFTER INSERT OR UPDATE OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER audit_users AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER audit_projects AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER audit_repositories AFTER INSERT OR UPDATE OR DELETE ON repositories
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER audit_codegen_agents_insert_delete AFTER INSERT OR DELETE ON codegen_agents
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
-- The sink advances last_used_at on every agent event: only configuration changes are audited.
CREATE TRIGGER audit_codegen_agents_update AFTER UPDATE ON codegen_agents
    FOR EACH ROW
    WHEN ((OLD.name, OLD.agent_type, OLD.is_active, OLD.configuration, OLD.organization_id)
          IS DISTINCT FROM (NEW.name, NEW.agent_type, NEW.is_active, NEW.configuration, NEW.organization_id))
    EXECUTE FUNCTION audit_row_change();

-- Guidelines, "Statistics Update": ANALYZE our tables (partitioned parents recurse into their
-- partitions), not the whole cluster's, which the owner may not analyze.
CREATE PROCEDURE update_statistics()
LANGUAGE plpgsql
AS $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
          AND c.relname <> 'flyway_schema_history'
        ORDER BY c.relname
    LOOP
        EXECUTE format('ANALYZE public.%I', t.relname);
    END LOOP;
END;
$$;

-- Guidelines, "Index Maintenance": rebuilds the indexes of our tables that are invalid (a failed
-- CREATE INDEX CONCURRENTLY leaves one), or all of them when rebuild_all. One index per
-- transaction, so each REINDEX holds its locks only briefly; run it with CALL outside a transaction.
-- Partitioned parents' indexes have no storage: their partitions' indexes are rebuilt instead.
CREATE PROCEDURE maintain_indexes(rebuild_all boolean DEFAULT false)
LANGUAGE plpgsql
AS $$
DECLARE
    ix record;
BEGIN
    FOR ix IN
        SELECT i.relname
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND i.relkind = 'i' AND t.relname <> 'flyway_schema_history'
          AND (rebuild_all OR NOT x.indisvalid)
        ORDER BY i.relname
    LOOP
        EXECUTE format('REINDEX INDEX public.%I', ix.relname);
        COMMIT;
    END LOOP;
END;
$$;
