-- The tables the pipeline writes (docs/contracts.md, "PostgreSQL tables the pipeline writes").
--
-- Rollup tables hold one row per (organization, entity, hour), partitioned by month on window_start
-- (V9 manages partitions). Histograms are 128 LogHistogram buckets, merged with hg_merge and read
-- with hg_percentile (V11). No foreign keys: a rollup may reach PostgreSQL before the raw event
-- that creates its organization or agent row (they travel on different topics).

CREATE TABLE task_rollups_hourly (
    organization_id     uuid NOT NULL,
    project_id          uuid NOT NULL,
    window_start        timestamptz NOT NULL,
    window_end          timestamptz NOT NULL,
    event_count         bigint NOT NULL DEFAULT 0,
    created_count       bigint NOT NULL DEFAULT 0,
    assigned_count      bigint NOT NULL DEFAULT 0,
    started_count       bigint NOT NULL DEFAULT 0,
    completed_count     bigint NOT NULL DEFAULT 0,
    failed_count        bigint NOT NULL DEFAULT 0,
    cancelled_count     bigint NOT NULL DEFAULT 0,
    estimated_hours_sum double precision NOT NULL DEFAULT 0,
    actual_hours_sum    double precision NOT NULL DEFAULT 0,
    actual_hours_count  bigint NOT NULL DEFAULT 0,
    duration_histogram  bigint[] NOT NULL DEFAULT array_fill(0::bigint, ARRAY[128]),
    revision            bigint NOT NULL DEFAULT 1,
    late_event_count    bigint NOT NULL DEFAULT 0,
    is_final            boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, project_id, window_start),
    CONSTRAINT task_rollups_hourly_one_hour CHECK (window_end - window_start = interval '1 hour'),
    CONSTRAINT task_rollups_hourly_counts_non_negative CHECK (
        event_count >= 0 AND created_count >= 0 AND assigned_count >= 0 AND started_count >= 0
        AND completed_count >= 0 AND failed_count >= 0 AND cancelled_count >= 0
        AND actual_hours_count >= 0 AND late_event_count >= 0 AND revision >= 0),
    CONSTRAINT task_rollups_hourly_histogram_128 CHECK (cardinality(duration_histogram) = 128)
) PARTITION BY RANGE (window_start);

CREATE TABLE agent_rollups_hourly (
    organization_id         uuid NOT NULL,
    agent_id                uuid NOT NULL,
    agent_type              text NOT NULL,
    window_start            timestamptz NOT NULL,
    window_end              timestamptz NOT NULL,
    event_count             bigint NOT NULL DEFAULT 0,
    started_count           bigint NOT NULL DEFAULT 0,
    completed_count         bigint NOT NULL DEFAULT 0,
    failed_count            bigint NOT NULL DEFAULT 0,
    tokens_used_sum         bigint NOT NULL DEFAULT 0,
    cost_micros_sum         bigint NOT NULL DEFAULT 0,
    performance_score_sum   double precision NOT NULL DEFAULT 0,
    performance_score_count bigint NOT NULL DEFAULT 0,
    duration_ms_sum         bigint NOT NULL DEFAULT 0,
    duration_count          bigint NOT NULL DEFAULT 0,
    duration_histogram      bigint[] NOT NULL DEFAULT array_fill(0::bigint, ARRAY[128]),
    revision                bigint NOT NULL DEFAULT 1,
    late_event_count        bigint NOT NULL DEFAULT 0,
    is_final                boolean NOT NULL DEFAULT false,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, agent_id, window_start),
    CONSTRAINT agent_rollups_hourly_one_hour CHECK (window_end - window_start = interval '1 hour'),
    CONSTRAINT agent_rollups_hourly_counts_non_negative CHECK (
        event_count >= 0 AND started_count >= 0 AND completed_count >= 0 AND failed_count >= 0
        AND tokens_used_sum >= 0 AND cost_micros_sum >= 0 AND performance_score_count >= 0
        AND duration_ms_sum >= 0 AND duration_count >= 0 AND late_event_count >= 0 AND revision >= 0),
    CONSTRAINT agent_rollups_hourly_histogram_128 CHECK (cardinality(duration_histogram) = 128)
) PARTITION BY RANGE (window_start);

CREATE TABLE integration_rollups_hourly (
    organization_id   uuid NOT NULL,
    integration_type  text NOT NULL,
    window_start      timestamptz NOT NULL,
    window_end        timestamptz NOT NULL,
    event_count       bigint NOT NULL DEFAULT 0,
    success_count     bigint NOT NULL DEFAULT 0,
    error_count       bigint NOT NULL DEFAULT 0,
    unprocessed_count bigint NOT NULL DEFAULT 0,
    latency_ms_sum    bigint NOT NULL DEFAULT 0,
    latency_histogram bigint[] NOT NULL DEFAULT array_fill(0::bigint, ARRAY[128]),
    revision          bigint NOT NULL DEFAULT 1,
    late_event_count  bigint NOT NULL DEFAULT 0,
    is_final          boolean NOT NULL DEFAULT false,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, integration_type, window_start),
    CONSTRAINT integration_rollups_hourly_one_hour CHECK (window_end - window_start = interval '1 hour'),
    CONSTRAINT integration_rollups_hourly_counts_non_negative CHECK (
        event_count >= 0 AND success_count >= 0 AND error_count >= 0 AND unprocessed_count >= 0
        AND latency_ms_sum >= 0 AND late_event_count >= 0 AND revision >= 0),
    CONSTRAINT integration_rollups_hourly_histogram_128 CHECK (cardinality(latency_histogram) = 128)
) PARTITION BY RANGE (window_start);

-- One row per (rule, key, hour, state): a replayed alert hits the unique key and is ignored (I5).
-- Not partitioned: the primary key alert_id could not include a partition key, and alerts grow with
-- threshold crossings, not with events.
CREATE TABLE alerts (
    alert_id        uuid PRIMARY KEY,
    rule            text NOT NULL,
    severity        text NOT NULL CONSTRAINT alerts_severity_known CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
    state           text NOT NULL CONSTRAINT alerts_state_known CHECK (state IN ('FIRING', 'RESOLVED')),
    organization_id uuid NOT NULL,
    entity_type     text NOT NULL,
    entity_key      text NOT NULL,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    observed_value  double precision NOT NULL,
    threshold       double precision NOT NULL,
    fired_at        timestamptz NOT NULL,
    resolved_at     timestamptz NULL,
    message         text NOT NULL,
    CONSTRAINT alerts_one_per_rule_key_window_state
        UNIQUE (rule, organization_id, entity_type, entity_key, window_start, state),
    CONSTRAINT alerts_window_ordered CHECK (window_end > window_start)
);
CREATE INDEX idx_alerts_organization_fired ON alerts (organization_id, fired_at DESC);

-- Records that could not be used, with why. Unique on the source position so a sink replay after a
-- crash inserts each dead letter once. organization_id is text: it is whatever the record carried.
CREATE TABLE dead_letters (
    id               bigserial PRIMARY KEY,
    source_topic     text NOT NULL,
    source_partition integer NOT NULL,
    source_offset    bigint NOT NULL,
    reason_code      text NOT NULL,
    message          text NOT NULL,
    organization_id  text NULL,
    event_id         text NULL,
    raw_key          bytea NULL,
    raw_value        bytea NULL,
    received_at      timestamptz NOT NULL,
    written_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dead_letters_one_per_source_position UNIQUE (source_topic, source_partition, source_offset)
);
CREATE INDEX idx_dead_letters_reason_received ON dead_letters (reason_code, received_at DESC);

-- The sink's Kafka positions, written in the same transaction as the rows they cover.
CREATE TABLE sink_offsets (
    consumer_group text NOT NULL,
    topic          text NOT NULL,
    partition      integer NOT NULL,
    next_offset    bigint NOT NULL CONSTRAINT sink_offsets_next_offset_non_negative CHECK (next_offset >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);

-- Analysts read an organization's hours across all its entities: (organization_id, window_start)
-- serves that range; the primary keys serve one entity's hours. The measures the analyst functions
-- and views read are INCLUDEd so that those reads are index-only: a rollup row is over 1 kB (its
-- histogram) and the sink writes each hour for every organization together, so one organization's
-- 720 hours of a month sit on 720 different heap pages. The price: a rollup update changes an
-- indexed column, so it is never a HOT update. Partitioned parents take a plain CREATE INDEX (not
-- CONCURRENTLY, which PostgreSQL refuses on them); they are empty here.
CREATE INDEX idx_task_rollups_hourly_org_window ON task_rollups_hourly (organization_id, window_start)
    INCLUDE (project_id, created_count, completed_count, failed_count, actual_hours_sum, actual_hours_count);
CREATE INDEX idx_agent_rollups_hourly_org_window ON agent_rollups_hourly (organization_id, window_start)
    INCLUDE (agent_id, started_count, completed_count, failed_count, tokens_used_sum, cost_micros_sum,
             performance_score_sum, performance_score_count, duration_ms_sum, duration_count);
CREATE INDEX idx_integration_rollups_hourly_org_window ON integration_rollups_hourly (organization_id, window_start)
    INCLUDE (event_count, success_count, error_count, unprocessed_count, latency_ms_sum);
