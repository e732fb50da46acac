-- Security (guidelines, "Access Control"): three roles, ownership, privileges and row-level security.
--
--   hourglass_owner    owns every object; migrations run as it (or as a superuser).
--   hourglass_writer   the sink: SELECT/INSERT/UPDATE on the tables it writes, EXECUTE on
--                      create_monthly_partition; no DDL, no DELETE.
--   hourglass_analyst  SELECT on tenant data, only the organization named by the session setting
--                      hourglass.organization_id; the analyst functions.
--
-- The roles are NOLOGIN groups: deployments create LOGIN users and GRANT them membership. Roles are
-- cluster-wide, so creating them is idempotent (several databases of one server run this).

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['hourglass_owner', 'hourglass_writer', 'hourglass_analyst'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION
                -- Another database of this server created it at the same moment.
                WHEN duplicate_object OR unique_violation THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'Role % does not exist and % may not create roles', r, current_user
                        USING HINT = 'Create the roles hourglass_owner, hourglass_writer and hourglass_analyst (NOLOGIN) as a superuser first; see schema-sql/README.md.';
            END;
        END IF;
    END LOOP;
END;
$$;

-- The organization an analyst's session is limited to: SET hourglass.organization_id = '<uuid>'.
-- NULL when unset or empty, which matches no row.
CREATE FUNCTION hourglass_organization_id()
RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT nullif(current_setting('hourglass.organization_id', true), '')::uuid
$$;

-- Analysts read the materialized views through these: row-level security does not apply to
-- materialized views, so each view keeps the session's organization only. security_barrier keeps
-- a caller's functions from seeing rows before that filter.
CREATE VIEW daily_task_summary WITH (security_barrier = true) AS
    SELECT * FROM mv_daily_task_summary WHERE organization_id = hourglass_organization_id();
CREATE VIEW agent_performance_summary WITH (security_barrier = true) AS
    SELECT * FROM mv_agent_performance_summary WHERE organization_id = hourglass_organization_id();
CREATE VIEW system_metrics_hourly WITH (security_barrier = true) AS
    SELECT * FROM mv_system_metrics_hourly WHERE organization_id = hourglass_organization_id();

-- Hands every object of the schema (tables with their partitions, sequences and indexes, views,
-- materialized views, functions, procedures, aggregates) to hourglass_owner. Later migrations that
-- create objects call it last.
CREATE PROCEDURE hourglass_assign_ownership()
LANGUAGE plpgsql
AS $$
DECLARE
    o record;
BEGIN
    FOR o IN
        SELECT c.relname, c.relkind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
          AND c.relname <> 'flyway_schema_history'
          AND pg_get_userbyid(c.relowner) <> 'hourglass_owner'
        ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER %s public.%I OWNER TO hourglass_owner',
                       CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                       o.relname);
    END LOOP;
    FOR o IN
        SELECT p.oid::regprocedure AS signature, p.prokind
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND pg_get_userbyid(p.proowner) <> 'hourglass_owner'
          -- Functions of extensions (pg_trgm) belong to the extension.
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO hourglass_owner',
                       CASE o.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                       o.signature);
    END LOOP;
END;
$$;

CALL hourglass_assign_ownership();

-- Schema and database: nobody but the owner creates objects. create_monthly_partition runs as the
-- owner, which needs CREATE on the schema. Temporary tables are objects too: only the owner may.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO hourglass_writer, hourglass_analyst;
GRANT USAGE, CREATE ON SCHEMA public TO hourglass_owner;
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO hourglass_owner', current_database());
END;
$$;

-- Functions: PostgreSQL lets PUBLIC execute every new function; here each role gets its own.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE hourglass_owner IN SCHEMA public REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
-- pg_trgm's functions stay usable by everyone, as the extension installs them.
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure AS signature
        FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f.signature);
    END LOOP;
END;
$$;

GRANT EXECUTE ON FUNCTION create_monthly_partition(text, date) TO hourglass_writer;
-- Pure functions over histograms: the sink adds correction deltas with hg_add.
GRANT EXECUTE ON FUNCTION hg_add(bigint[], bigint[]) TO hourglass_writer, hourglass_analyst;
GRANT EXECUTE ON FUNCTION hg_merge(bigint[]), hg_percentile(bigint[], double precision), hg_count(bigint[]),
    hg_upper_bound(integer), hg_bucket_of(double precision) TO hourglass_analyst;
GRANT EXECUTE ON FUNCTION hourglass_organization_id() TO hourglass_analyst;
GRANT EXECUTE ON FUNCTION get_active_tasks_optimized(uuid, integer, integer),
    get_agent_performance_metrics(uuid, interval),
    get_organization_analytics(uuid, date, date) TO hourglass_analyst;

-- Tables: the writer's, exactly the ones the sink writes (docs/contracts.md).
GRANT SELECT, INSERT, UPDATE ON
    task_rollups_hourly, agent_rollups_hourly, integration_rollups_hourly,
    alerts, dead_letters, sink_offsets,
    organizations, users, projects, tasks, task_executions, codegen_agents, agent_tasks, integration_events
    TO hourglass_writer;
GRANT USAGE ON SEQUENCE dead_letters_id_seq TO hourglass_writer;

-- The analyst's: tenant data and the per-organization views of the materialized views.
GRANT SELECT ON
    organizations, users, projects, repositories, tasks, task_executions, codegen_agents, agent_tasks,
    pipeline_executions, integration_events, system_metrics, learning_patterns, knowledge_base,
    task_rollups_hourly, agent_rollups_hourly, integration_rollups_hourly, alerts,
    daily_task_summary, agent_performance_summary, system_metrics_hourly
    TO hourglass_analyst;

-- Row-level security, enabled and forced (it then applies to the owner too) on every tenant table.
-- Owner and writer see every organization; the analyst sees the session's organization only.
DO $$
DECLARE
    t text;
    org_column text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'organizations', 'users', 'projects', 'repositories', 'tasks', 'task_executions',
        'codegen_agents', 'agent_tasks', 'pipeline_executions', 'integration_events', 'system_metrics',
        'learning_patterns', 'knowledge_base', 'task_rollups_hourly', 'agent_rollups_hourly',
        'integration_rollups_hourly', 'alerts']
    LOOP
        org_column := CASE WHEN t = 'organizations' THEN 'id' ELSE 'organization_id' END;
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO hourglass_owner USING (true) WITH CHECK (true)',
                       t || '_owner_all', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO hourglass_writer USING (true) WITH CHECK (true)',
                       t || '_writer_all', t);
        EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO hourglass_analyst USING (%I = hourglass_organization_id())',
                       t || '_analyst_own_organization', t, org_column);
    END LOOP;
END;
$$;
