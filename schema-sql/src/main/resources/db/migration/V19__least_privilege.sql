-- Least privilege (issue 16): PUBLIC keeps nothing of ours, and maintenance gets a role of its own.
--
-- V16 granted EXECUTE on every extension function to PUBLIC, pg_stat_statements_reset() among them
-- (superuser-only in stock PostgreSQL): any login could wipe the statistics that
-- get_performance_metrics and capture_slow_queries read. PUBLIC also kept CONNECT on the database,
-- USAGE on the schema and SELECT on the pg_stat_statements views (other logins' statements).
--
--   hourglass_maintainer  the scheduled maintenance (refresh the materialized views, partitions,
--                         statistics, slow-query capture, cache cleanup, health figures). NOLOGIN:
--                         the sink's login is granted it when the sink runs maintenance.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hourglass_maintainer') THEN
        BEGIN
            CREATE ROLE hourglass_maintainer NOLOGIN;
        EXCEPTION
            -- Another database of this server created it at the same moment.
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'Role hourglass_maintainer does not exist and % may not create roles', current_user
                    USING HINT = 'Create the role hourglass_maintainer (NOLOGIN) as a superuser first; see schema-sql/README.md.';
        END;
    END IF;
END;
$$;

-- Database and schema: only our roles connect and resolve names in public.
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO hourglass_owner, hourglass_writer, hourglass_analyst, hourglass_maintainer',
                   current_database());
END;
$$;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO hourglass_maintainer;

-- pg_stat_statements: nobody but the owner and maintenance reads it; nobody resets it (a superuser
-- still may). Its objects belong to the superuser that installed it: run by another user, these
-- REVOKEs are no-ops with a warning, so the README asks for a superuser migration or these lines.
DO $$
DECLARE
    f record;
BEGIN
    IF to_regclass('public.pg_stat_statements') IS NULL THEN
        RETURN;
    END IF;
    FOR f IN
        SELECT p.oid::regprocedure AS signature, p.proname
        FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_stat_statements'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f.signature);
        IF f.proname <> 'pg_stat_statements_reset' THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hourglass_owner, hourglass_maintainer', f.signature);
        END IF;
    END LOOP;
    REVOKE SELECT ON public.pg_stat_statements, public.pg_stat_statements_info FROM PUBLIC;
    GRANT SELECT ON public.pg_stat_statements, public.pg_stat_statements_info TO hourglass_owner, hourglass_maintainer;
END;
$$;

-- Later migrations create their functions as whoever migrates (a superuser in tests and local
-- mode), and PostgreSQL lets PUBLIC execute a new function, which would let every role of ours run
-- it. hourglass_assign_ownership(), which each migration calls last, now also takes that back.
CREATE OR REPLACE PROCEDURE hourglass_assign_ownership()
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
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER %s public.%I OWNER TO hourglass_owner',
                       CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                       o.relname);
    END LOOP;
    FOR o IN
        SELECT p.oid::regprocedure AS signature, p.prokind, pg_get_userbyid(p.proowner) <> 'hourglass_owner' AS foreign_owner
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          -- Functions of extensions (pg_trgm) belong to the extension.
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        IF o.foreign_owner THEN
            EXECUTE format('ALTER %s %s OWNER TO hourglass_owner',
                           CASE o.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                           o.signature);
        END IF;
        EXECUTE format('REVOKE EXECUTE ON %s %s FROM PUBLIC',
                       CASE o.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, o.signature);
    END LOOP;
END;
$$;

CALL hourglass_assign_ownership();
REVOKE EXECUTE ON PROCEDURE hourglass_assign_ownership() FROM PUBLIC;

-- Maintenance: MAINTAIN (PostgreSQL 17+) lets it REFRESH the materialized views and ANALYZE the
-- tables without owning them; the SECURITY DEFINER partition functions do the DDL as the owner.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm')
          AND c.relname <> 'flyway_schema_history' AND NOT c.relispartition
          AND pg_get_userbyid(c.relowner) = 'hourglass_owner'
    LOOP
        EXECUTE format('GRANT MAINTAIN ON public.%I TO hourglass_maintainer', r.relname);
    END LOOP;
END;
$$;
GRANT SELECT, INSERT ON system_metrics, slow_query_log TO hourglass_maintainer;
GRANT SELECT, DELETE ON query_cache TO hourglass_maintainer;
GRANT SELECT ON partitioned_tables TO hourglass_maintainer;
CREATE POLICY system_metrics_maintainer_all ON system_metrics FOR ALL TO hourglass_maintainer
    USING (true) WITH CHECK (true);
GRANT EXECUTE ON FUNCTION refresh_performance_views(), create_monthly_partition(text, date),
    ensure_partitions(integer, integer), drop_partitions_older_than(interval, text),
    capture_slow_queries(double precision), cleanup_query_cache(), get_system_health(),
    get_performance_metrics(double precision),
    check_performance_alerts(numeric, numeric, double precision, integer) TO hourglass_maintainer;
GRANT EXECUTE ON PROCEDURE maintain_partitions(integer), update_statistics() TO hourglass_maintainer;
-- ANALYZE of a partitioned table checks every partition, and partitions are created later by
-- create_monthly_partition: update_statistics runs as the owner of them all instead.
ALTER PROCEDURE update_statistics() SECURITY DEFINER SET search_path = public, pg_temp;
-- Other backends' statement texts and figures (pg_stat_statements, pg_stat_activity): granting a
-- predefined role needs a superuser; without it capture_slow_queries sees the texts of its own
-- statements only.
DO $$
BEGIN
    GRANT pg_read_all_stats TO hourglass_maintainer;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_read_all_stats not granted to hourglass_maintainer (%): grant it as a superuser', SQLERRM;
END;
$$;
