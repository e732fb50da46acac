-- Module 1, core: tenants and their people.
-- pg_trgm serves the trigram indexes (V15); it is a trusted extension, so a non-superuser owner with
-- CREATE on the database can install it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- pg_stat_statements feeds get_performance_metrics and check_performance_alerts (the server must
-- preload it, as the guide's postgresql.conf says). Installing it needs a superuser: without one the
-- migration goes on and those functions report no statements.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_stat_statements not installed (%): statement figures will be empty', SQLERRM;
END;
$$;

CREATE TABLE organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        varchar(255) NOT NULL,
    slug        varchar(255) UNIQUE,
    -- The seed indexes settings->'limits'.
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_settings_is_object CHECK (jsonb_typeof(settings) = 'object')
);

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            varchar(255) NOT NULL,
    email           varchar(320) NOT NULL,
    role            varchar(50) NOT NULL DEFAULT 'member',
    is_active       boolean NOT NULL DEFAULT true,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_unique_per_organization UNIQUE (organization_id, email),
    CONSTRAINT users_email_has_at CHECK (position('@' IN email) > 1)
);
