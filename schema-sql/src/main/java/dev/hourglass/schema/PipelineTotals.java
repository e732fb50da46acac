package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the pipeline has written, read back for local mode's summary and for checking its books
 * against the load generator's ledger. Reads the rollup tables, dead_letters and alerts; writes
 * nothing. Connects as a user that sees every organization (owner or writer).
 */
public final class PipelineTotals {
  /** The integer measures compared with the ledger, per family, in column order. */
  public static final Map<String, List<String>> MEASURES =
      Map.of(
          "task",
          List.of(
              "event_count", "created_count", "started_count", "completed_count", "failed_count"),
          "agent",
          List.of(
              "event_count",
              "completed_count",
              "failed_count",
              "tokens_used_sum",
              "cost_micros_sum",
              "duration_ms_sum"),
          "integration",
          List.of("event_count", "error_count", "unprocessed_count", "latency_ms_sum"));

  private static final Map<String, String> TABLE =
      Map.of(
          "task", "task_rollups_hourly",
          "agent", "agent_rollups_hourly",
          "integration", "integration_rollups_hourly");
  private static final Map<String, String> ENTITY =
      Map.of("task", "project_id", "agent", "agent_id", "integration", "integration_type");

  private final String url;
  private final Properties credentials = new Properties();

  private PipelineTotals(String url, String user, String password) {
    this.url = url;
    credentials.setProperty("user", user);
    credentials.setProperty("password", password == null ? "" : password);
  }

  public static PipelineTotals connect(String jdbcUrl, String user, String password) {
    return new PipelineTotals(jdbcUrl, user, password);
  }

  /**
   * The books as PostgreSQL sees them.
   *
   * @param counted events counted in rollups, corrections included (sum of event_count)
   * @param lateCorrected events applied as corrections (sum of late_event_count)
   * @param rollupRows rows in the three rollup tables
   * @param deadLetters dead letters by reason code
   * @param alertsFiring FIRING alerts
   * @param alertsResolved RESOLVED alerts
   * @param latestAlerts a few of the latest alerts, one line each
   */
  public record Totals(
      long counted,
      long lateCorrected,
      long rollupRows,
      Map<String, Long> deadLetters,
      long alertsFiring,
      long alertsResolved,
      List<String> latestAlerts) {
    public long deadLettered() {
      return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** One rollup row: family (task, agent, integration), key, hour and integer measures. */
  public record RollupRow(
      String family,
      String organizationId,
      String entityKey,
      Instant windowStart,
      Map<String, Long> measures) {}

  /**
   * Totals, counting only the dead letters whose source is one of {@code sourceTopics} (the event
   * topics), so that a record dead-lettered by both the processor and the sink counts once.
   */
  public Totals totals(List<String> sourceTopics) {
    try (Connection c = DriverManager.getConnection(url, credentials)) {
      long counted = 0;
      long late = 0;
      long rows = 0;
      for (String table : TABLE.values()) {
        try (Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT coalesce(sum(event_count), 0), coalesce(sum(late_event_count), 0),"
                        + " count(*) FROM "
                        + table)) {
          rs.next();
          counted += rs.getLong(1);
          late += rs.getLong(2);
          rows += rs.getLong(3);
        }
      }
      Map<String, Long> dead = new TreeMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT reason_code, count(*) FROM dead_letters WHERE source_topic = ANY (?)"
                  + " GROUP BY reason_code")) {
        ps.setArray(1, c.createArrayOf("text", sourceTopics.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            dead.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      long firing;
      long resolved;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FILTER (WHERE state = 'FIRING'),"
                      + " count(*) FILTER (WHERE state = 'RESOLVED') FROM alerts")) {
        rs.next();
        firing = rs.getLong(1);
        resolved = rs.getLong(2);
      }
      List<String> latest = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT state, rule, entity_type, entity_key, window_start, message FROM alerts"
                      + " ORDER BY fired_at DESC, alert_id LIMIT 5")) {
        while (rs.next()) {
          latest.add(
              String.format(
                  "%-8s %-22s %s %s hour %s: %s",
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getTimestamp(5).toInstant(),
                  rs.getString(6)));
        }
      }
      return new Totals(counted, late, rows, dead, firing, resolved, latest);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read pipeline totals from " + url + ": " + e, e);
    }
  }

  /** Every rollup row with the measures of {@link #MEASURES}. */
  public List<RollupRow> rollups() {
    List<RollupRow> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, credentials)) {
      for (Map.Entry<String, String> family : TABLE.entrySet()) {
        List<String> measures = MEASURES.get(family.getKey());
        String sql =
            "SELECT organization_id::text, "
                + ENTITY.get(family.getKey())
                + "::text, window_start, "
                + String.join(", ", measures)
                + " FROM "
                + family.getValue();
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(sql)) {
          while (rs.next()) {
            Map<String, Long> values = new LinkedHashMap<>();
            for (int i = 0; i < measures.size(); i++) {
              values.put(measures.get(i), rs.getLong(4 + i));
            }
            out.add(
                new RollupRow(
                    family.getKey(),
                    rs.getString(1),
                    rs.getString(2),
                    rs.getTimestamp(3).toInstant(),
                    values));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read rollups from " + url + ": " + e, e);
    }
    return out;
  }
}
