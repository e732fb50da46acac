-- The performance guide's indexes on the unpartitioned tables, built CONCURRENTLY so that adding
-- them to a live database blocks no writer. This migration runs outside a transaction
-- (V14__indexes_concurrently.sql.conf), one statement at a time; IF NOT EXISTS lets a re-run after
-- a failure skip what was built (an index left INVALID by a failed build is rebuilt by
-- CALL maintain_indexes()). Partitioned tables' indexes are in V15.

-- Primary performance indexes (partial).
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_status_priority_time
    ON tasks (status, priority, created_at DESC)
    WHERE status IN ('pending', 'in_progress', 'assigned');

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_task_executions_status_time
    ON task_executions (status, started_at DESC)
    WHERE status IN ('running', 'completed', 'failed');

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_agent_tasks_status_priority
    ON agent_tasks (status, priority, created_at DESC)
    WHERE status <> 'archived';

-- The guide's predicate "completed_at IS NULL OR completed_at >= NOW() - INTERVAL '7 days'" is not
-- allowed (an index predicate must be immutable). Two indexes serve the same query by a BitmapOr:
-- the pipelines still running, and the completed ones by completion time.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pipeline_executions_status_time
    ON pipeline_executions (status, started_at DESC)
    WHERE completed_at IS NULL;

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pipeline_executions_completed_time
    ON pipeline_executions (completed_at DESC)
    INCLUDE (status, started_at)
    WHERE completed_at IS NOT NULL;

-- Composite indexes with INCLUDE (index-only scans).
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_org_project_status_priority
    ON tasks (organization_id, project_id, status, priority)
    INCLUDE (title, created_at, assigned_to);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_agents_org_type_active_performance
    ON codegen_agents (organization_id, agent_type, is_active)
    INCLUDE (name, last_used_at, usage_stats);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_learning_patterns_org_type_confidence
    ON learning_patterns (organization_id, pattern_type, confidence_score DESC)
    WHERE confidence_score >= 0.7;

-- JSONB paths. The guide's GIN indexes on (column->'path') use the default jsonb_ops; the queries
-- they serve are containment tests on the path, (column->'path') @> '"value"' (which also matches
-- an array containing the value), so jsonb_path_ops: smaller, and faster for @>.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_metadata_type
    ON tasks USING gin ((metadata -> 'type') jsonb_path_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_metadata_priority
    ON tasks USING gin ((metadata -> 'priority') jsonb_path_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_agent_tasks_context_repo
    ON agent_tasks USING gin ((context -> 'repository') jsonb_path_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_learning_patterns_data_category
    ON learning_patterns USING gin ((pattern_data -> 'category') jsonb_path_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_knowledge_base_tags
    ON knowledge_base USING gin (tags);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_projects_settings_features
    ON projects USING gin ((settings -> 'features') jsonb_path_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_organizations_settings_limits
    ON organizations USING gin ((settings -> 'limits') jsonb_path_ops);

-- Full-text search. tasks.title is nullable here, hence the coalesce; queries must use the same
-- expression to match the index.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_title_description_search
    ON tasks USING gin (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(description, '')));

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_knowledge_base_content_search
    ON knowledge_base USING gin (to_tsvector('english', title || ' ' || content));

-- Trigram indexes (pg_trgm) for partial matching: LIKE '%x%', ILIKE, similarity (%).
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_title_trgm
    ON tasks USING gin (title gin_trgm_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_repositories_name_trgm
    ON repositories USING gin (name gin_trgm_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_name_email_trgm
    ON users USING gin ((name || ' ' || email) gin_trgm_ops);

-- Guidelines, "Partial index for active users": the guideline's index is on users (id), which the
-- primary key already serves; the intent, listing an organization's active users, needs this one.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_active_users
    ON users (organization_id, name)
    WHERE is_active = true;

-- Not in the seed. get_active_tasks_optimized filters one organization's open tasks and orders
-- them by priority: the guide's idx_tasks_status_priority_time leads with status, so it would read
-- every organization's open tasks.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_org_active_priority
    ON tasks (organization_id, priority, created_at DESC)
    INCLUDE (title, status, assigned_to)
    WHERE status IN ('pending', 'in_progress', 'assigned');

-- Not in the seed: foreign keys whose referenced rows may be deleted or updated need an index on
-- the referencing columns, or every such delete scans the table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_tasks_assigned_to
    ON tasks (assigned_to) WHERE assigned_to IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_agent_tasks_task
    ON agent_tasks (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_projects_organization
    ON projects (organization_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_pipeline_executions_organization_started
    ON pipeline_executions (organization_id, started_at DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_learning_patterns_organization
    ON learning_patterns (organization_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_knowledge_base_organization
    ON knowledge_base (organization_id);
