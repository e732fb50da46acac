-- mv_system_metrics_hourly's part of refresh_performance_views(), V27 against V28, alternating
-- (the order swapped every round), each refresh in its own transaction; medians.
--   V27: REFRESH MATERIALIZED VIEW CONCURRENTLY of the V13 query (recomputed in full), here a copy
--        of that view created beside V28's (bench_mv_system_metrics_hourly_v27);
--   V28: refresh_system_metrics_hourly_store() (the logged hours and the window's oldest), then
--        REFRESH MATERIALIZED VIEW CONCURRENTLY mv_system_metrics_hourly (a copy of the table).
-- Before each refresh, what a few minutes of operation write: one measurement of the current hour
-- per organization and metric, the health job's five database-wide rows.
-- Run as a superuser (it reads /proc/loadavg) against a database at V28, e.g.
--   psql -v scale=1 -v rounds=8 -f docs/bench/db/system-metrics-refresh.sql
-- scale: metric names per organization and hour (1 = the query benchmark loader's 168,000 rows).
-- The data are the loader's (1,000 organizations x 168 hours of 'queue_depth', further metrics
-- for scale > 1), appended in time order as production appends them, unless already there.
\set ON_ERROR_STOP 1
\if :{?scale}
\else
\set scale 1
\endif
\if :{?rounds}
\else
\set rounds 8
\endif

INSERT INTO organizations (id, name)
SELECT md5('hourglass-bench-org-' || o)::uuid, 'bench org ' || o FROM generate_series(0, 999) o
ON CONFLICT (id) DO NOTHING;
INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, unit, timestamp)
SELECT md5('hourglass-bench-org-' || o)::uuid,
       CASE WHEN k = 1 THEN 'queue_depth' ELSE 'bench_metric_' || k END, 'gauge', (o + h + k) % 50, 'count',
       date_trunc('hour', now()) - make_interval(hours => h) + make_interval(mins => (o % 60))
FROM generate_series(168, 1, -1) h, generate_series(0, 999) o, generate_series(1, :scale) k
WHERE NOT EXISTS (SELECT 1 FROM system_metrics WHERE metric_name = 'queue_depth')
ORDER BY h DESC, o, k;

-- V27's view, as V13 created it (V28 dropped it).
DROP MATERIALIZED VIEW IF EXISTS bench_mv_system_metrics_hourly_v27;
CREATE MATERIALIZED VIEW bench_mv_system_metrics_hourly_v27 AS
SELECT date_trunc('hour', m.timestamp, 'UTC') AS hour,
       m.organization_id,
       m.metric_name,
       m.metric_type,
       count(*) AS measurement_count,
       avg(m.value) AS avg_value,
       min(m.value) AS min_value,
       max(m.value) AS max_value,
       stddev(m.value) AS stddev_value,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY m.value) AS median_value,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY m.value) AS p95_value
FROM system_metrics m
WHERE m.timestamp >= CURRENT_TIMESTAMP - interval '7 days'
GROUP BY 1, 2, 3, 4;
CREATE UNIQUE INDEX ON bench_mv_system_metrics_hourly_v27 (hour, organization_id, metric_name, metric_type) NULLS NOT DISTINCT;
CREATE INDEX ON bench_mv_system_metrics_hourly_v27 (organization_id, hour);
SELECT refresh_performance_views() IS NOT NULL AS v28_current;
VACUUM ANALYZE system_metrics, system_metrics_hourly_store, mv_system_metrics_hourly, bench_mv_system_metrics_hourly_v27;
SELECT count(*) AS system_metrics_rows, (SELECT count(*) FROM mv_system_metrics_hourly) AS view_rows FROM system_metrics;

CREATE TEMP TABLE results (round int, variant text, ms float8, store_ms float8, loadavg text);
CREATE PROCEDURE pg_temp.rounds(n int, scale int)
LANGUAGE plpgsql AS $$
DECLARE
  v text[] := ARRAY['V27', 'V28'];
  r int; i int; k int;
  t0 timestamptz; t1 timestamptz;
BEGIN
  FOR r IN 0 .. n LOOP
    FOR i IN 0 .. 1 LOOP
      k := 1 + (i + r) % 2;
      INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, unit)
      SELECT md5('hourglass-bench-org-' || o)::uuid,
             CASE WHEN j = 1 THEN 'queue_depth' ELSE 'bench_metric_' || j END, 'gauge', (o + r) % 50, 'count'
      FROM generate_series(0, 999) o, generate_series(1, scale) j;
      INSERT INTO system_metrics (metric_name, metric_type, value, unit)
      SELECT 'database_health_' || j, 'database_health', j, 'level' FROM generate_series(1, 5) j;
      COMMIT;
      t0 := clock_timestamp();
      t1 := t0;
      IF v[k] = 'V27' THEN
        REFRESH MATERIALIZED VIEW CONCURRENTLY bench_mv_system_metrics_hourly_v27;
      ELSE
        PERFORM refresh_system_metrics_hourly_store();
        t1 := clock_timestamp();
        REFRESH MATERIALIZED VIEW CONCURRENTLY mv_system_metrics_hourly;
      END IF;
      -- Round 0 warms up.
      IF r > 0 THEN
        INSERT INTO results VALUES (r, v[k], 1000 * extract(epoch FROM clock_timestamp() - t0),
          CASE WHEN v[k] = 'V28' THEN 1000 * extract(epoch FROM t1 - t0) END,
          split_part(pg_read_file('/proc/loadavg'), ' ', 1));
      END IF;
      COMMIT;
    END LOOP;
  END LOOP;
END $$;
CALL pg_temp.rounds(:rounds, :scale);

SELECT round, variant, round(ms::numeric, 1) AS ms, round(store_ms::numeric, 1) AS store_ms, loadavg
FROM results ORDER BY round, variant;
SELECT variant, count(*) AS rounds,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY store_ms)::numeric, 1) AS median_store_ms,
       min(loadavg) AS min_load, max(loadavg) AS max_load
FROM results GROUP BY variant ORDER BY variant;
SELECT round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM results WHERE variant = 'V28')::numeric
           / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM results WHERE variant = 'V27')::numeric, 3)
       AS ratio_v28_to_v27;
-- Both views hold the same rows once refreshed in one transaction (one CURRENT_TIMESTAMP);
-- stddev compared to 9 decimals, as its double-precision sums depend on the order rows are read.
BEGIN;
SELECT refresh_system_metrics_hourly_store() IS NOT NULL AS store_current;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_system_metrics_hourly;
REFRESH MATERIALIZED VIEW CONCURRENTLY bench_mv_system_metrics_hourly_v27;
CREATE TEMP VIEW compared_v28 AS SELECT hour, organization_id, metric_name, metric_type, measurement_count, avg_value,
    min_value, max_value, round(stddev_value::numeric, 9) AS stddev, median_value, p95_value FROM mv_system_metrics_hourly;
CREATE TEMP VIEW compared_v27 AS SELECT hour, organization_id, metric_name, metric_type, measurement_count, avg_value,
    min_value, max_value, round(stddev_value::numeric, 9) AS stddev, median_value, p95_value FROM bench_mv_system_metrics_hourly_v27;
SELECT (SELECT count(*) FROM (TABLE compared_v28 EXCEPT ALL TABLE compared_v27) a)
     + (SELECT count(*) FROM (TABLE compared_v27 EXCEPT ALL TABLE compared_v28) b) AS rows_differing;
COMMIT;
DROP MATERIALIZED VIEW bench_mv_system_metrics_hourly_v27 CASCADE;
