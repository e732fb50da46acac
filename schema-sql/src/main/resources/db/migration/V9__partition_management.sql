-- Monthly range partitions for the append-heavy tables (guidelines, "Partitioning Strategy").
--
-- Partitions are named <table>_pYYYYMM by code here, never from data. There is no DEFAULT
-- partition: a row for a month without a partition fails with SQLSTATE 23514 (the sink creates the
-- month's partition first with create_monthly_partition), and no later partition creation can be
-- blocked by rows sitting in a default partition.

-- The tables these functions may touch; anything else is refused.
CREATE TABLE partitioned_tables (
    table_name       text PRIMARY KEY,
    retention        interval NOT NULL,
    CONSTRAINT partitioned_tables_retention_positive CHECK (retention > interval '0')
);
INSERT INTO partitioned_tables (table_name, retention) VALUES
    ('integration_events', interval '13 months'),
    ('system_metrics', interval '3 months'),
    ('task_rollups_hourly', interval '25 months'),
    ('agent_rollups_hourly', interval '25 months'),
    ('integration_rollups_hourly', interval '25 months');

-- Creates the partition of parent_table holding the month that contains "month" (any day of it),
-- unless it exists; returns its name. Safe to call concurrently and on every batch: the common case
-- (partition exists) is one catalog lookup and takes no lock. SECURITY DEFINER so that the sink's
-- role, which may not run DDL, can create partitions of these tables and nothing else.
CREATE FUNCTION create_monthly_partition(parent_table text, month date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    lower_bound date := date_trunc('month', month)::date;
    upper_bound date := (date_trunc('month', month) + interval '1 month')::date;
    partition_name text := parent_table || '_p' || to_char(lower_bound, 'YYYYMM');
BEGIN
    IF month IS NULL THEN
        RAISE EXCEPTION 'Invalid value NULL for month: a date is required';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM partitioned_tables p WHERE p.table_name = parent_table) THEN
        RAISE EXCEPTION 'Invalid value % for parent_table: not a table partitioned by month (see partitioned_tables)', parent_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass(format('public.%I', partition_name)) IS NOT NULL THEN
        RETURN partition_name;
    END IF;
    -- Serialises creators of the same partition; the second one finds it created.
    PERFORM pg_advisory_xact_lock(hashtext('hourglass.partition.' || partition_name));
    IF to_regclass(format('public.%I', partition_name)) IS NULL THEN
        -- Bounds are midnight UTC, whatever the session's TimeZone.
        EXECUTE format(
            'CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
            partition_name, parent_table,
            (lower_bound::timestamp AT TIME ZONE 'UTC'), (upper_bound::timestamp AT TIME ZONE 'UTC'));
    END IF;
    RETURN partition_name;
END;
$$;

-- Creates the partitions from months_back before the current month to months_ahead after it, for
-- every partitioned table; returns the names (existing ones included). Schedule it daily.
CREATE FUNCTION ensure_partitions(months_ahead integer DEFAULT 3, months_back integer DEFAULT 0)
RETURNS SETOF text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    t text;
    m integer;
BEGIN
    IF months_ahead < 0 OR months_back < 0 THEN
        RAISE EXCEPTION 'Invalid value %/% for months_ahead/months_back: must be >= 0', months_ahead, months_back
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR t IN SELECT table_name FROM partitioned_tables ORDER BY table_name LOOP
        FOR m IN -months_back .. months_ahead LOOP
            RETURN NEXT create_monthly_partition(t, (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => m))::date);
        END LOOP;
    END LOOP;
END;
$$;

-- Drops the partitions whose whole month ended before now() - retention (per table: its own
-- retention from partitioned_tables, or the argument when given); returns the dropped names. Only
-- partitions named by create_monthly_partition are considered.
CREATE FUNCTION drop_partitions_older_than(retention interval DEFAULT NULL, only_table text DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    t record;
    part record;
    cutoff timestamptz;
    partition_end timestamptz;
BEGIN
    IF retention IS NOT NULL AND retention <= interval '0' THEN
        RAISE EXCEPTION 'Invalid value % for retention: must be positive', retention
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR t IN
        SELECT p.table_name, coalesce(drop_partitions_older_than.retention, p.retention) AS keep
        FROM partitioned_tables p
        WHERE only_table IS NULL OR p.table_name = only_table
        ORDER BY p.table_name
    LOOP
        cutoff := now() - t.keep;
        FOR part IN
            SELECT c.relname
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class parent ON parent.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = parent.relnamespace
            WHERE n.nspname = 'public' AND parent.relname = t.table_name
              AND c.relname ~ ('^' || t.table_name || '_p[0-9]{6}$')
            ORDER BY c.relname
        LOOP
            partition_end := (to_date(right(part.relname, 6), 'YYYYMM') + interval '1 month')::timestamp AT TIME ZONE 'UTC';
            IF partition_end <= cutoff THEN
                EXECUTE format('DROP TABLE public.%I', part.relname);
                RETURN NEXT part.relname::text;
            END IF;
        END LOOP;
    END LOOP;
END;
$$;

-- One call for a scheduler (pg_cron or the CLI): partitions ahead, then retention.
CREATE PROCEDURE maintain_partitions(months_ahead integer DEFAULT 3)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM ensure_partitions(months_ahead, 0);
    PERFORM drop_partitions_older_than(NULL, NULL);
END;
$$;

-- Three months back (late events and back-fills) to three ahead.
SELECT count(*) FROM ensure_partitions(3, 3);
