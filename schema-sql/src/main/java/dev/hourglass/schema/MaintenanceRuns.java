package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The scheduled maintenance as the database records it ({@code maintenance_jobs}, written by the
 * elected sink), and the row counts of the materialized views it refreshes: for local mode and
 * operators. Reads only; any role with SELECT on {@code maintenance_jobs} (owner, maintainer,
 * analyst) may use it.
 */
public final class MaintenanceRuns {
  /** The materialized views {@code refresh_performance_views()} refreshes. */
  public static final List<String> VIEWS =
      List.of("mv_daily_task_summary", "mv_agent_performance_summary", "mv_system_metrics_hourly");

  /**
   * One job's last run.
   *
   * @param job its name, such as {@code refresh_views}
   * @param lastStarted when its last run started; null when it never ran
   * @param durationMs how long that run took
   * @param outcome {@code succeeded} or {@code failed}
   * @param detail what it did, or the error
   * @param runs runs so far, on every instance
   * @param failures failed runs among them
   */
  public record Run(
      String job,
      Instant lastStarted,
      Long durationMs,
      String outcome,
      String detail,
      long runs,
      long failures) {}

  private final String url;
  private final Properties credentials = new Properties();

  private MaintenanceRuns(String url, String user, String password) {
    this.url = url;
    credentials.setProperty("user", user);
    credentials.setProperty("password", password == null ? "" : password);
  }

  public static MaintenanceRuns connect(String jdbcUrl, String user, String password) {
    return new MaintenanceRuns(jdbcUrl, user, password);
  }

  /**
   * Every job's last run, by job name.
   *
   * @throws IllegalStateException when the database cannot be read
   */
  public List<Run> runs() {
    List<Run> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, credentials);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT job, last_started_at, last_duration_ms, last_outcome, last_detail, runs,"
                    + " failures FROM maintenance_jobs ORDER BY job");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Timestamp started = rs.getTimestamp(2);
        long duration = rs.getLong(3);
        out.add(
            new Run(
                rs.getString(1),
                started == null ? null : started.toInstant(),
                rs.wasNull() ? null : duration,
                rs.getString(4),
                rs.getString(5),
                rs.getLong(6),
                rs.getLong(7)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read maintenance_jobs: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Waits until {@code job} has succeeded in a run started at or after {@code after}.
   *
   * @return that run, or empty when none did within {@code timeout}
   */
  public Optional<Run> awaitSuccess(String job, Instant after, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Run r : runs()) {
        if (r.job().equals(job)
            && "succeeded".equals(r.outcome())
            && r.lastStarted() != null
            && !r.lastStarted().isBefore(after)) {
          return Optional.of(r);
        }
      }
      if (System.nanoTime() > deadline) {
        return Optional.empty();
      }
      Thread.sleep(200);
    }
  }

  /**
   * Rows of each materialized view, as last refreshed.
   *
   * @throws IllegalStateException when the database cannot be read
   */
  public Map<String, Long> viewRows() {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url, credentials)) {
      for (String view : VIEWS) {
        // The names are the constants above, never input.
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + view);
            ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.put(view, rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the materialized views: " + e.getMessage(), e);
    }
    return out;
  }
}
