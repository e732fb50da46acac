package dev.hourglass.sink;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;

import dev.hourglass.config.Values;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The {@code sink.maintenance.*} settings: how often the elected sink runs each maintenance job,
 * and the thresholds of the database alerts. An interval of 0 turns a job off; a check interval of
 * 0 keeps this instance out of the election altogether.
 *
 * @param checkInterval how often this instance tries to take the lock and looks for due jobs
 * @param refreshInterval {@code refresh_views}: the materialized views, concurrently
 * @param partitionsInterval {@code create_partitions} and {@code drop_partitions}
 * @param monthsAhead months of partitions kept ahead of the current one
 * @param slowQueriesInterval {@code capture_slow_queries}
 * @param slowQuery a statement is slow when its mean time is above this (capture and alert)
 * @param healthInterval {@code record_health}: database health into {@code system_metrics}
 * @param alertsInterval {@code check_alerts}: {@code check_performance_alerts()} into alerts
 * @param minCacheHitPercent alert when the cache hit ratio is below this
 * @param maxConnectionPercent alert when active connections exceed this share of max_connections
 * @param maxSlowQueries alert when more statements than this are slow
 * @param statementTimeout the server cancels a job's statement after this long
 * @param lockTimeout a job gives up waiting for a table lock after this long, so that a partition
 *     drop queued behind a long transaction never holds the sink's writes behind it
 */
public record MaintenanceConfig(
    Duration checkInterval,
    Duration refreshInterval,
    Duration partitionsInterval,
    int monthsAhead,
    Duration slowQueriesInterval,
    Duration slowQuery,
    Duration healthInterval,
    Duration alertsInterval,
    int minCacheHitPercent,
    int maxConnectionPercent,
    int maxSlowQueries,
    Duration statementTimeout,
    Duration lockTimeout) {

  public static final String CHECK_INTERVAL_MS = "sink.maintenance.check.interval.ms";
  public static final String REFRESH_INTERVAL_MS = "sink.maintenance.refresh.interval.ms";
  public static final String PARTITIONS_INTERVAL_MS = "sink.maintenance.partitions.interval.ms";
  public static final String MONTHS_AHEAD = "sink.maintenance.partitions.months.ahead";
  public static final String SLOW_QUERIES_INTERVAL_MS = "sink.maintenance.slow.queries.interval.ms";
  public static final String SLOW_QUERY_MS = "sink.maintenance.slow.query.ms";
  public static final String HEALTH_INTERVAL_MS = "sink.maintenance.health.interval.ms";
  public static final String ALERTS_INTERVAL_MS = "sink.maintenance.alerts.interval.ms";
  public static final String MIN_CACHE_HIT_PERCENT = "sink.maintenance.alert.min.cache.hit.percent";
  public static final String MAX_CONNECTION_PERCENT =
      "sink.maintenance.alert.max.connection.percent";
  public static final String MAX_SLOW_QUERIES = "sink.maintenance.alert.max.slow.queries";
  public static final String STATEMENT_TIMEOUT_MS = "sink.maintenance.statement.timeout.ms";
  public static final String LOCK_TIMEOUT_MS = "sink.maintenance.lock.timeout.ms";

  private static final long HOUR_MS = Duration.ofHours(1).toMillis();
  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  /** Adds the maintenance keys to the sink's definition. */
  static void define(ConfigDef def) {
    def.define(CHECK_INTERVAL_MS, LONG, 10_000L, between(0, HOUR_MS), MEDIUM, "0: no maintenance");
    def.define(REFRESH_INTERVAL_MS, LONG, 300_000L, between(0, 7 * DAY_MS), MEDIUM, "views");
    def.define(PARTITIONS_INTERVAL_MS, LONG, HOUR_MS, between(0, 7 * DAY_MS), LOW, "partitions");
    def.define(MONTHS_AHEAD, INT, 3, between(1, 24), LOW, "partitions ahead");
    def.define(SLOW_QUERIES_INTERVAL_MS, LONG, 300_000L, between(0, 7 * DAY_MS), LOW, "capture");
    def.define(SLOW_QUERY_MS, LONG, 1000L, between(1, HOUR_MS), LOW, "slow statement");
    def.define(HEALTH_INTERVAL_MS, LONG, 60_000L, between(0, 7 * DAY_MS), LOW, "health");
    def.define(ALERTS_INTERVAL_MS, LONG, 60_000L, between(0, 7 * DAY_MS), LOW, "alerts");
    def.define(MIN_CACHE_HIT_PERCENT, INT, 95, between(0, 100), LOW, "cache hit alert");
    def.define(MAX_CONNECTION_PERCENT, INT, 80, between(1, 100), LOW, "connections alert");
    def.define(MAX_SLOW_QUERIES, INT, 5, between(0, 1_000_000), LOW, "slow statements alert");
    def.define(STATEMENT_TIMEOUT_MS, LONG, 300_000L, between(1000, DAY_MS), LOW, "per statement");
    def.define(LOCK_TIMEOUT_MS, LONG, 2000L, between(10, 600_000), LOW, "lock waits");
  }

  static MaintenanceConfig from(Values v) {
    return new MaintenanceConfig(
        v.getDuration(CHECK_INTERVAL_MS),
        v.getDuration(REFRESH_INTERVAL_MS),
        v.getDuration(PARTITIONS_INTERVAL_MS),
        v.getInt(MONTHS_AHEAD),
        v.getDuration(SLOW_QUERIES_INTERVAL_MS),
        v.getDuration(SLOW_QUERY_MS),
        v.getDuration(HEALTH_INTERVAL_MS),
        v.getDuration(ALERTS_INTERVAL_MS),
        v.getInt(MIN_CACHE_HIT_PERCENT),
        v.getInt(MAX_CONNECTION_PERCENT),
        v.getInt(MAX_SLOW_QUERIES),
        v.getDuration(STATEMENT_TIMEOUT_MS),
        v.getDuration(LOCK_TIMEOUT_MS));
  }

  /** Whether this instance takes part in the election. */
  public boolean enabled() {
    return !checkInterval.isZero();
  }

  void putSettings(Map<String, String> m) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(CHECK_INTERVAL_MS, Long.toString(checkInterval.toMillis()));
    s.put(REFRESH_INTERVAL_MS, Long.toString(refreshInterval.toMillis()));
    s.put(PARTITIONS_INTERVAL_MS, Long.toString(partitionsInterval.toMillis()));
    s.put(MONTHS_AHEAD, Integer.toString(monthsAhead));
    s.put(SLOW_QUERIES_INTERVAL_MS, Long.toString(slowQueriesInterval.toMillis()));
    s.put(SLOW_QUERY_MS, Long.toString(slowQuery.toMillis()));
    s.put(HEALTH_INTERVAL_MS, Long.toString(healthInterval.toMillis()));
    s.put(ALERTS_INTERVAL_MS, Long.toString(alertsInterval.toMillis()));
    s.put(MIN_CACHE_HIT_PERCENT, Integer.toString(minCacheHitPercent));
    s.put(MAX_CONNECTION_PERCENT, Integer.toString(maxConnectionPercent));
    s.put(MAX_SLOW_QUERIES, Integer.toString(maxSlowQueries));
    s.put(STATEMENT_TIMEOUT_MS, Long.toString(statementTimeout.toMillis()));
    s.put(LOCK_TIMEOUT_MS, Long.toString(lockTimeout.toMillis()));
    m.putAll(s);
  }
}
