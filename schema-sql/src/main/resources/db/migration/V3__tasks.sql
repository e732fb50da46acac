-- Module 3, tasks: the current state of every task and of each execution attempt.
-- The sink upserts these from TaskEvent (docs/contracts.md); last_event_at holds the occurred_at of
-- the event that set the status, so that a late event never overwrites a newer status.
CREATE TABLE tasks (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      uuid NOT NULL,
    -- Nullable: the first event the sink sees for a task may carry no title (events arrive out of order).
    title           varchar(500),
    description     text,
    status          varchar(50) NOT NULL DEFAULT 'pending'
        CONSTRAINT tasks_status_known
            CHECK (status IN ('pending', 'assigned', 'in_progress', 'completed', 'failed', 'cancelled')),
    priority        integer NOT NULL DEFAULT 3
        CONSTRAINT tasks_priority_range CHECK (priority BETWEEN 1 AND 5),
    assigned_to     uuid REFERENCES users (id) ON DELETE SET NULL,
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
    estimated_hours double precision CONSTRAINT tasks_estimated_hours_non_negative CHECK (estimated_hours >= 0),
    actual_hours    double precision CONSTRAINT tasks_actual_hours_non_negative CHECK (actual_hours >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_event_at   timestamptz,
    CONSTRAINT tasks_project_same_organization
        FOREIGN KEY (project_id, organization_id) REFERENCES projects (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT tasks_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT tasks_id_organization_unique UNIQUE (id, organization_id)
);

CREATE TABLE task_executions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    task_id         uuid NOT NULL,
    status          varchar(50) NOT NULL DEFAULT 'running'
        CONSTRAINT task_executions_status_known
            CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    started_at      timestamptz,
    completed_at    timestamptz,
    error_message   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_event_at   timestamptz,
    CONSTRAINT task_executions_task_same_organization
        FOREIGN KEY (task_id, organization_id) REFERENCES tasks (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT task_executions_completed_after_started
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE INDEX idx_task_executions_task ON task_executions (task_id);
