package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance jobs, each a call of a schema function the maintainer role may execute
 * (schema-sql's V20 lists the grants): names, intervals and what each run says it did.
 */
final class MaintenanceJobs {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceJobs.class);

  static final String REFRESH_VIEWS = "refresh_views";
  static final String CREATE_PARTITIONS = "create_partitions";
  static final String DROP_PARTITIONS = "drop_partitions";
  static final String CAPTURE_SLOW_QUERIES = "capture_slow_queries";
  static final String RECORD_HEALTH = "record_health";
  static final String CHECK_ALERTS = "check_alerts";

  /** In the order a check runs them. */
  static final List<String> NAMES =
      List.of(
          CREATE_PARTITIONS,
          DROP_PARTITIONS,
          REFRESH_VIEWS,
          CAPTURE_SLOW_QUERIES,
          RECORD_HEALTH,
          CHECK_ALERTS);

  private static final String PARTITION_COUNT =
      "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'"
          + " JOIN partitioned_tables p ON p.table_name = c.relname";

  private MaintenanceJobs() {}

  static List<MaintenanceJob> all(MaintenanceConfig config, DatabaseAlerts alerts) {
    return List.of(
        new MaintenanceJob(
            CREATE_PARTITIONS,
            config.partitionsInterval(),
            (c, now) -> createPartitions(c, config.monthsAhead())),
        new MaintenanceJob(
            DROP_PARTITIONS, config.partitionsInterval(), (c, now) -> dropPartitions(c)),
        new MaintenanceJob(REFRESH_VIEWS, config.refreshInterval(), (c, now) -> refreshViews(c)),
        new MaintenanceJob(
            CAPTURE_SLOW_QUERIES,
            config.slowQueriesInterval(),
            (c, now) -> captureSlowQueries(c, config.slowQuery().toMillis())),
        new MaintenanceJob(RECORD_HEALTH, config.healthInterval(), (c, now) -> recordHealth(c)),
        new MaintenanceJob(CHECK_ALERTS, config.alertsInterval(), alerts::check));
  }

  /** The three materialized views, concurrently (each has a unique index on plain columns). */
  static String refreshViews(Connection c) throws SQLException {
    String stats = single(c, "SELECT refresh_performance_views()::text");
    return "refreshed mv_daily_task_summary, mv_agent_performance_summary,"
        + " mv_system_metrics_hourly: "
        + stats;
  }

  /** The current month and {@code monthsAhead} after it, for every partitioned table. */
  static String createPartitions(Connection c, int monthsAhead) throws SQLException {
    long before = Long.parseLong(single(c, PARTITION_COUNT));
    try (PreparedStatement ps =
        c.prepareStatement("SELECT count(*) FROM ensure_partitions(?, 0)")) {
      ps.setInt(1, monthsAhead);
      ps.executeQuery().close();
    }
    long after = Long.parseLong(single(c, PARTITION_COUNT));
    if (after > before) {
      LOG.info(
          "Maintenance: created {} partition(s), {} months ahead", after - before, monthsAhead);
    }
    return "created " + (after - before) + " partition(s); " + after + " exist";
  }

  /** Partitions past their table's retention (partitioned_tables), never another one. */
  static String dropPartitions(Connection c) throws SQLException {
    List<String> dropped = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT drop_expired_partitions()");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        dropped.add(rs.getString(1));
      }
    }
    if (!dropped.isEmpty()) {
      LOG.info("Maintenance: dropped partition(s) past their retention: {}", dropped);
    }
    return "dropped "
        + dropped.size()
        + " partition(s)"
        + (dropped.isEmpty() ? "" : ": " + dropped);
  }

  /** New slow statements from pg_stat_statements into slow_query_log. */
  static String captureSlowQueries(Connection c, long thresholdMs) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT capture_new_slow_queries(?)")) {
      ps.setDouble(1, thresholdMs);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int captured = rs.getInt(1);
        if (rs.wasNull()) {
          return "pg_stat_statements is not available (install it and add it to"
              + " shared_preload_libraries): nothing captured";
        }
        return "captured " + captured + " statement(s) slower than " + thresholdMs + " ms";
      }
    }
  }

  /** get_system_health() as rows of system_metrics. */
  static String recordHealth(Connection c) throws SQLException {
    return "recorded " + single(c, "SELECT record_database_health()") + " measurement(s)";
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }
}
