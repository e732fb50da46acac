package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** TEMPORARY stand-in until the schema-sql helper's version lands. */
public final class RollupWatch implements AutoCloseable {
  private final Connection connection;
  private final PreparedStatement tasks;

  public record RollupCount(
      String table,
      String organizationId,
      String entityKey,
      Instant windowStart,
      long eventCount) {}

  private RollupWatch(Connection connection) throws SQLException {
    this.connection = connection;
    this.tasks =
        connection.prepareStatement(
            "SELECT organization_id::text, project_id::text, window_start, event_count"
                + " FROM task_rollups_hourly WHERE window_start >= ?");
  }

  public static RollupWatch connect(String jdbcUrl, String user, String password) {
    try {
      return new RollupWatch(DriverManager.getConnection(jdbcUrl, user, password));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public List<RollupCount> taskWindows(Instant from) {
    try {
      tasks.setTimestamp(1, Timestamp.from(from));
      List<RollupCount> out = new ArrayList<>();
      try (ResultSet rs = tasks.executeQuery()) {
        while (rs.next()) {
          out.add(
              new RollupCount(
                  "task_rollups_hourly",
                  rs.getString(1),
                  rs.getString(2),
                  rs.getTimestamp(3).toInstant(),
                  rs.getLong(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public long totalEvents() {
    try (PreparedStatement s =
            connection.prepareStatement(
                "SELECT (SELECT coalesce(sum(event_count),0) FROM task_rollups_hourly)"
                    + " + (SELECT coalesce(sum(event_count),0) FROM agent_rollups_hourly)"
                    + " + (SELECT coalesce(sum(event_count),0) FROM integration_rollups_hourly)");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
