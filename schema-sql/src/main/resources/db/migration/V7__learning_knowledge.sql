-- Module 7, learning: patterns learnt from past work and the knowledge base.
CREATE TABLE learning_patterns (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    pattern_type     varchar(100) NOT NULL,
    -- The seed indexes pattern_data->'category'.
    pattern_data     jsonb NOT NULL DEFAULT '{}'::jsonb,
    confidence_score numeric(5, 4) NOT NULL DEFAULT 0
        CONSTRAINT learning_patterns_confidence_range CHECK (confidence_score BETWEEN 0 AND 1),
    usage_count      bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE knowledge_base (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title           varchar(500) NOT NULL,
    content         text NOT NULL,
    tags            text[] NOT NULL DEFAULT '{}',
    source          varchar(255),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
