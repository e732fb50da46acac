package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What {@code hourglass status} reads from PostgreSQL: dead letters of the last hour by reason, and
 * the alerts still firing. Reads only; a user that sees every organization (owner or writer).
 */
public final class PipelineStatus {
  /** An alert that fired and has no RESOLVED row for the same rule, key and hour. */
  public record Firing(
      String rule, String severity, String entityType, String entityKey, String hour) {}

  /** Dead letters written in the last hour by reason, and up to {@code limit} firing alerts. */
  public record Snapshot(
      Map<String, Long> deadLettersLastHour, long firingCount, List<Firing> firing) {}

  private PipelineStatus() {}

  /**
   * @throws IllegalStateException when the database cannot be read, with the driver's message
   */
  public static Snapshot read(String jdbcUrl, String user, String password, int limit) {
    Properties credentials = new Properties();
    credentials.setProperty("user", user);
    credentials.setProperty("password", password == null ? "" : password);
    try (Connection c = DriverManager.getConnection(jdbcUrl, credentials);
        Statement s = c.createStatement()) {
      Map<String, Long> dead = new TreeMap<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT reason_code, count(*) FROM dead_letters"
                  + " WHERE written_at > now() - interval '1 hour' GROUP BY reason_code")) {
        while (rs.next()) {
          dead.put(rs.getString(1), rs.getLong(2));
        }
      }
      String unresolved =
          " FROM alerts f WHERE f.state = 'FIRING' AND NOT EXISTS (SELECT 1 FROM alerts r"
              + " WHERE r.state = 'RESOLVED' AND r.rule = f.rule"
              + " AND r.organization_id = f.organization_id AND r.entity_type = f.entity_type"
              + " AND r.entity_key = f.entity_key AND r.window_start = f.window_start)";
      long count;
      try (ResultSet rs = s.executeQuery("SELECT count(*)" + unresolved)) {
        rs.next();
        count = rs.getLong(1);
      }
      List<Firing> firing = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT f.rule, f.severity, f.entity_type, f.entity_key, f.window_start::text"
                  + unresolved
                  + " ORDER BY f.fired_at DESC LIMIT "
                  + Math.max(0, limit))) {
        while (rs.next()) {
          firing.add(
              new Firing(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5)));
        }
      }
      return new Snapshot(dead, count, firing);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
