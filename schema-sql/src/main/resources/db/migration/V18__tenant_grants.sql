-- Tenants bound to logins (issue 16): V16 let an analyst read whichever organization it named in
-- hourglass.organization_id. Now a login sees an organization only when tenant_grants says it may;
-- the setting chooses one of the granted organizations, and naming any other one shows nothing.
--
-- The setting stays required (unset shows nothing): a pooled connection whose transaction forgot
-- SET LOCAL then reads nothing, instead of every tenant its shared login serves.

-- Which logins may read which organizations. Managed by hourglass_owner (INSERT/DELETE, as its
-- owner), audited in audit_log like the other tables that configure a tenant. login is the
-- role name the client logs in with (session_user), so SET ROLE cannot change it.
CREATE TABLE tenant_grants (
    login           name NOT NULL,
    organization_id uuid NOT NULL,
    granted_at      timestamptz NOT NULL DEFAULT now(),
    granted_by      name NOT NULL DEFAULT session_user,
    PRIMARY KEY (login, organization_id)
);
CREATE INDEX idx_tenant_grants_organization ON tenant_grants (organization_id);

CREATE TRIGGER audit_tenant_grants AFTER INSERT OR UPDATE OR DELETE ON tenant_grants
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

-- A grant to a login that does not exist is a typo that would silently show nothing; refuse it.
CREATE FUNCTION tenant_grants_check_login()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = NEW.login AND rolcanlogin) THEN
        RAISE EXCEPTION 'Invalid value % for tenant_grants.login: no LOGIN role of that name', NEW.login
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER tenant_grants_login_exists BEFORE INSERT OR UPDATE OF login ON tenant_grants
    FOR EACH ROW EXECUTE FUNCTION tenant_grants_check_login();

-- The organization this session may read: hourglass.organization_id when the login (session_user)
-- is granted it, else NULL, which matches no row. SECURITY DEFINER so that analysts need no
-- privilege on tenant_grants; policies call it as a scalar subquery, so it runs once per statement
-- and the (organization_id, ...) indexes still apply.
CREATE FUNCTION hourglass_visible_organization()
RETURNS uuid
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT g.organization_id
    FROM public.tenant_grants g
    WHERE g.login = session_user AND g.organization_id = public.hourglass_organization_id()
$$;

-- Every analyst policy of V16 now also requires the grant.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'organizations', 'users', 'projects', 'repositories', 'tasks', 'task_executions',
        'codegen_agents', 'agent_tasks', 'pipeline_executions', 'integration_events', 'system_metrics',
        'learning_patterns', 'knowledge_base', 'task_rollups_hourly', 'agent_rollups_hourly',
        'integration_rollups_hourly', 'alerts']
    LOOP
        EXECUTE format('ALTER POLICY %I ON public.%I USING (%I = (SELECT hourglass_visible_organization()))',
                       t || '_analyst_own_organization', t,
                       CASE WHEN t = 'organizations' THEN 'id' ELSE 'organization_id' END);
    END LOOP;
END;
$$;

-- The per-organization views of the materialized views (which row-level security cannot cover),
-- with the same rule. Same columns, so CREATE OR REPLACE keeps their grants.
CREATE OR REPLACE VIEW daily_task_summary WITH (security_barrier = true) AS
    SELECT * FROM mv_daily_task_summary WHERE organization_id = (SELECT hourglass_visible_organization());
CREATE OR REPLACE VIEW agent_performance_summary WITH (security_barrier = true) AS
    SELECT * FROM mv_agent_performance_summary WHERE organization_id = (SELECT hourglass_visible_organization());
CREATE OR REPLACE VIEW system_metrics_hourly WITH (security_barrier = true) AS
    SELECT * FROM mv_system_metrics_hourly WHERE organization_id = (SELECT hourglass_visible_organization());

CALL hourglass_assign_ownership();

REVOKE EXECUTE ON FUNCTION tenant_grants_check_login(), hourglass_visible_organization() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hourglass_visible_organization() TO hourglass_analyst;
