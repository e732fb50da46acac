-- Two reliability fixes (issue 17).
--
-- 1. create_monthly_partition is idempotent under concurrency. V9 re-checked under an advisory lock,
--    but a session that had looked the partition up before it waited for the lock kept the answer
--    "absent" in its catalog cache (an advisory lock does not process invalidation messages, a
--    relation lock does), so the second of two concurrent callers ran CREATE TABLE and failed with
--    42P07 "relation ... already exists". It now treats that error as what it means: created by the
--    other caller.
CREATE OR REPLACE FUNCTION create_monthly_partition(parent_table text, month date)
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
        BEGIN
            -- Bounds are midnight UTC, whatever the session's TimeZone.
            EXECUTE format(
                'CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                partition_name, parent_table,
                (lower_bound::timestamp AT TIME ZONE 'UTC'), (upper_bound::timestamp AT TIME ZONE 'UTC'));
        EXCEPTION
            -- Another session created it after this one's cached look-up: it exists, as asked.
            WHEN duplicate_table THEN NULL;
        END;
    END IF;
    RETURN partition_name;
END;
$$;

-- 2. A fence for the sink's offsets. A sink instance that takes a partition over claims it: its
--    claim increments owner_epoch in the transaction that reads the stored offset, and every later
--    compare-and-set of that partition's offset also requires the epoch it claimed. An instance
--    that lost the partition (paused past its session timeout, then woken) holds an older epoch, so
--    its commit is refused even when nothing has been committed since the takeover.
ALTER TABLE sink_offsets ADD COLUMN owner_epoch bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN sink_offsets.owner_epoch IS
    'Incremented by each sink instance that takes the partition over; its commits require it unchanged';
