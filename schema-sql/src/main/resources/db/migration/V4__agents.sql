-- Module 4, agents: code-generation agents and their runs (agent_tasks).
CREATE TABLE codegen_agents (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            varchar(255) NOT NULL,
    agent_type      varchar(100) NOT NULL,
    is_active       boolean NOT NULL DEFAULT true,
    configuration   jsonb NOT NULL DEFAULT '{}'::jsonb,
    usage_stats     jsonb NOT NULL DEFAULT '{}'::jsonb,
    last_used_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT codegen_agents_id_organization_unique UNIQUE (id, organization_id),
    -- usage_stats is carried in idx_agents_org_type_active_performance (INCLUDE), and a B-tree entry
    -- must fit in a third of a page.
    CONSTRAINT codegen_agents_usage_stats_small CHECK (pg_column_size(usage_stats) <= 2000)
);

CREATE TABLE agent_tasks (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Denormalised from codegen_agents (the composite key keeps them equal) so that row-level
    -- security and per-organization queries need no join.
    organization_id   uuid NOT NULL,
    agent_id          uuid NOT NULL,
    task_id           uuid REFERENCES tasks (id) ON DELETE SET NULL,
    project_id        uuid,
    status            varchar(50) NOT NULL DEFAULT 'pending'
        CONSTRAINT agent_tasks_status_known
            CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'archived')),
    priority          integer NOT NULL DEFAULT 3
        CONSTRAINT agent_tasks_priority_range CHECK (priority BETWEEN 1 AND 5),
    -- The seed indexes context->'repository'.
    context           jsonb NOT NULL DEFAULT '{}'::jsonb,
    tokens_used       bigint NOT NULL DEFAULT 0 CONSTRAINT agent_tasks_tokens_non_negative CHECK (tokens_used >= 0),
    -- Dollars; the events carry integer micro-dollars (cost_micros / 1e6 is exact in numeric(18,6)).
    cost_estimate     numeric(18, 6) NOT NULL DEFAULT 0
        CONSTRAINT agent_tasks_cost_non_negative CHECK (cost_estimate >= 0),
    performance_score numeric(5, 4)
        CONSTRAINT agent_tasks_performance_score_range CHECK (performance_score BETWEEN 0 AND 1),
    duration_ms       bigint CONSTRAINT agent_tasks_duration_non_negative CHECK (duration_ms >= 0),
    started_at        timestamptz,
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    last_event_at     timestamptz,
    CONSTRAINT agent_tasks_agent_same_organization
        FOREIGN KEY (agent_id, organization_id) REFERENCES codegen_agents (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT agent_tasks_context_is_object CHECK (jsonb_typeof(context) = 'object')
);
CREATE INDEX idx_agent_tasks_agent_created ON agent_tasks (agent_id, created_at DESC);
