package dev.hourglass.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Reads the event counts of the recent hours of the three rollup tables, for measuring the latency
 * from sending an event to the rollup row that counts it (polled every few milliseconds while the
 * pipeline runs). Holds one connection and one prepared statement: each {@link #currentWindows} is
 * one round trip. Reads the rollup tables, writes nothing. Connect as a user that sees every
 * organization (owner or writer); an analyst sees only its organization's rows. Not thread-safe.
 */
public final class RollupWatch implements AutoCloseable {
  private static final String SQL =
      "SELECT 'task_rollups_hourly', organization_id::text, project_id::text, window_start,"
          + " event_count FROM task_rollups_hourly WHERE window_start >= ?"
          + " UNION ALL SELECT 'agent_rollups_hourly', organization_id::text, agent_id::text,"
          + " window_start, event_count FROM agent_rollups_hourly WHERE window_start >= ?"
          + " UNION ALL SELECT 'integration_rollups_hourly', organization_id::text,"
          + " integration_type, window_start, event_count FROM integration_rollups_hourly"
          + " WHERE window_start >= ?";
  private static final String TASKS_SQL =
      "SELECT 'task_rollups_hourly', organization_id::text, project_id::text, window_start,"
          + " event_count FROM task_rollups_hourly WHERE window_start >= ?";
  private static final String TOTAL_SQL =
      "SELECT (SELECT coalesce(sum(event_count), 0) FROM task_rollups_hourly"
          + " WHERE window_start >= ?) + (SELECT coalesce(sum(event_count), 0)"
          + " FROM agent_rollups_hourly WHERE window_start >= ?)"
          + " + (SELECT coalesce(sum(event_count), 0) FROM integration_rollups_hourly"
          + " WHERE window_start >= ?)";

  private final String url;
  private final Connection connection;
  private final PreparedStatement statement;
  private final PreparedStatement tasks;
  private final PreparedStatement total;
  private PreparedStatement activity;

  /**
   * One rollup row's count.
   *
   * @param table task_rollups_hourly, agent_rollups_hourly or integration_rollups_hourly
   * @param entityKey project_id, agent_id or integration_type
   * @param eventCount events counted in the row, corrections included
   */
  public record RollupCount(
      String table,
      String organizationId,
      String entityKey,
      Instant windowStart,
      long eventCount) {}

  private RollupWatch(String url, Connection connection) throws SQLException {
    this.url = url;
    this.connection = connection;
    this.statement = connection.prepareStatement(SQL);
    this.tasks = connection.prepareStatement(TASKS_SQL);
    this.total = connection.prepareStatement(TOTAL_SQL);
  }

  /** Opens the connection and prepares the statement; close it when done. */
  public static RollupWatch connect(String jdbcUrl, String user, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Properties p = new Properties();
    p.setProperty("user", Objects.requireNonNull(user, "user"));
    p.setProperty("password", password == null ? "" : password);
    p.setProperty("ApplicationName", "hourglass-rollup-watch");
    // Server-side prepared from the first call: the statement runs thousands of times.
    p.setProperty("prepareThreshold", "1");
    Connection c = null;
    try {
      c = DriverManager.getConnection(jdbcUrl, p);
      c.setReadOnly(true);
      return new RollupWatch(jdbcUrl, c);
    } catch (SQLException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException(
          "cannot watch rollups in " + jdbcUrl + ": " + e.getMessage(), e);
    }
  }

  /**
   * Every row of the three rollup tables whose {@code window_start >= windowStartFrom}, in no
   * particular order. Each call is its own snapshot (autocommit).
   */
  public List<RollupCount> currentWindows(Instant windowStartFrom) {
    return rows(statement, windowStartFrom, 3);
  }

  /**
   * The rows of {@code task_rollups_hourly} alone whose {@code window_start >= windowStartFrom}: a
   * third of the work of {@link #currentWindows} when task events are the ones being timed.
   */
  public List<RollupCount> taskWindows(Instant windowStartFrom) {
    return rows(tasks, windowStartFrom, 1);
  }

  /**
   * The events counted by every row of the three tables whose {@code window_start >=
   * windowStartFrom}: what the pipeline has made visible, when compared with an earlier reading.
   */
  public long eventsSince(Instant windowStartFrom) {
    bind(total, windowStartFrom, 3);
    try (ResultSet rs = total.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private List<RollupCount> rows(PreparedStatement s, Instant windowStartFrom, int parameters) {
    bind(s, windowStartFrom, parameters);
    List<RollupCount> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(
            new RollupCount(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getTimestamp(4).toInstant(),
                rs.getLong(5)));
      }
      return out;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private void bind(PreparedStatement s, Instant windowStartFrom, int parameters) {
    Timestamp from = Timestamp.from(Objects.requireNonNull(windowStartFrom, "windowStartFrom"));
    try {
      for (int i = 1; i <= parameters; i++) {
        s.setTimestamp(i, from);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * PostgreSQL's checkpoints, WAL and vacuums so far ({@link DatabaseActivity}), or null on a
   * server without those statistics views (before PostgreSQL 17).
   */
  public DatabaseActivity databaseActivity() {
    try {
      if (activity == null) {
        activity = DatabaseActivity.prepare(connection);
      }
      return DatabaseActivity.read(activity);
    } catch (SQLException e) {
      return null;
    }
  }

  private IllegalStateException failure(SQLException e) {
    return new IllegalStateException(
        "cannot read rollup counts from " + url + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close the connection to " + url, e);
    }
  }
}
