-- Module 2, projects: what an organization works on, and the code it keeps.
CREATE TABLE projects (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            varchar(255) NOT NULL,
    description     text,
    status          varchar(50) NOT NULL DEFAULT 'active'
        CONSTRAINT projects_status_known CHECK (status IN ('active', 'paused', 'archived')),
    -- The seed indexes settings->'features'.
    settings        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT projects_settings_is_object CHECK (jsonb_typeof(settings) = 'object'),
    -- Lets children reference (id, organization_id) so a row cannot point into another tenant.
    CONSTRAINT projects_id_organization_unique UNIQUE (id, organization_id)
);

CREATE TABLE repositories (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      uuid,
    name            varchar(255) NOT NULL,
    url             text,
    default_branch  varchar(255) NOT NULL DEFAULT 'main',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT repositories_project_same_organization
        FOREIGN KEY (project_id, organization_id) REFERENCES projects (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT repositories_name_unique_per_organization UNIQUE (organization_id, name)
);
