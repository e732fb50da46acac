-- Module 5, pipelines and integrations: CI/CD pipeline runs and the external events handled.
CREATE TABLE pipeline_executions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      uuid,
    repository_id   uuid REFERENCES repositories (id) ON DELETE SET NULL,
    pipeline_name   varchar(255) NOT NULL,
    status          varchar(50) NOT NULL DEFAULT 'pending'
        CONSTRAINT pipeline_executions_status_known
            CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    trigger         varchar(100),
    started_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pipeline_executions_project_same_organization
        FOREIGN KEY (project_id, organization_id) REFERENCES projects (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT pipeline_executions_completed_after_started
        CHECK (completed_at IS NULL OR completed_at >= started_at)
);

-- Append-only, one row per event: partitioned by month on created_at (V9 manages partitions).
-- The primary key must contain the partition key; the sink inserts-or-ignores on (id, created_at).
CREATE TABLE integration_events (
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_type varchar(100) NOT NULL,
    event_type       varchar(255) NOT NULL,
    status           varchar(20) NOT NULL DEFAULT 'success'
        CONSTRAINT integration_events_status_known CHECK (status IN ('success', 'error')),
    processed        boolean NOT NULL DEFAULT false,
    latency_ms       bigint CONSTRAINT integration_events_latency_non_negative CHECK (latency_ms >= 0),
    payload          jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    processed_at     timestamptz,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
