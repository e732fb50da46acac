package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The SQL of {@code hourglass recovery-test}: what it reads from a restored database (and from the
 * live one, to compare): whether recovery has finished, the last migration applied, the offsets the
 * sink stored.
 */
public final class RestoredDatabase {
  private final String url;
  private final Properties credentials = new Properties();

  public RestoredDatabase(String url, String user, String password) {
    this.url = url;
    credentials.setProperty("user", user);
    credentials.setProperty("password", password);
  }

  /** The last successful versioned migration and how many failed. */
  public record Migrations(String lastVersion, long failed) {}

  /** One offset stored by the sink: the next record of {@code topic}-{@code partition} to write. */
  public record StoredOffset(String group, String topic, int partition, long next) {}

  /**
   * Waits until the server has replayed its WAL (to the target time, when recovering from an
   * archive) and accepts writes.
   */
  public void awaitRecovered(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try (Connection c = connect();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return;
        }
      } catch (SQLException e) {
        throw failed("read pg_is_in_recovery()", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("still in recovery after " + within);
      }
      Thread.sleep(500);
    }
  }

  public Migrations migrations() {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT version FROM flyway_schema_history WHERE success AND version IS"
                    + " NOT NULL ORDER BY installed_rank DESC LIMIT 1), (SELECT count(*) FROM"
                    + " flyway_schema_history WHERE NOT success)")) {
      rs.next();
      return new Migrations(rs.getString(1), rs.getLong(2));
    } catch (SQLException e) {
      throw failed("read flyway_schema_history", e);
    }
  }

  public List<StoredOffset> offsets() {
    List<StoredOffset> out = new ArrayList<>();
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT consumer_group, topic, partition, next_offset FROM sink_offsets")) {
      while (rs.next()) {
        out.add(new StoredOffset(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4)));
      }
    } catch (SQLException e) {
      throw failed("read sink_offsets", e);
    }
    return out;
  }

  private IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException("cannot " + what + " at " + url + ": " + e.getMessage(), e);
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url, credentials);
  }
}
