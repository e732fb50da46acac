package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The analyst's view of one organization for a range of hours, from the rollup tables and the
 * schema's functions: one line per hour across tasks, agents, integrations and alerts, plus the
 * organization summary of {@code get_organization_analytics} and the agents of {@code
 * get_agent_performance_metrics}. Sets {@code hourglass.organization_id}, so it works for an
 * analyst login under row-level security.
 */
public final class HourlyReport {
  private final PGSimpleDataSource dataSource = new PGSimpleDataSource();

  private HourlyReport(String url, String user, String password) {
    dataSource.setUrl(url);
    dataSource.setUser(user);
    dataSource.setPassword(password == null ? "" : password);
  }

  public static HourlyReport connect(String jdbcUrl, String user, String password) {
    return new HourlyReport(jdbcUrl, user, password);
  }

  /** One hour of one organization. Percentiles are NaN when the hour has no values. */
  public record Hour(
      Instant hour,
      long taskEvents,
      long tasksCompleted,
      long tasksFailed,
      long agentRuns,
      long agentFailures,
      long costMicros,
      double agentP95Millis,
      long integrationEvents,
      long integrationErrors,
      double latencyP95Millis,
      long alertsFiring) {}

  /** Hours in [from, to) that have any data, oldest first. */
  public List<Hour> hours(UUID organization, Instant from, Instant to) {
    String sql =
        "WITH t AS (SELECT window_start h, sum(event_count) ev, sum(completed_count) done,"
            + "   sum(failed_count) failed FROM task_rollups_hourly"
            + "   WHERE organization_id = ? AND window_start >= ? AND window_start < ? GROUP BY 1),"
            + " a AS (SELECT window_start h, sum(completed_count + failed_count) runs,"
            + "   sum(failed_count) failed, sum(cost_micros_sum) cost,"
            + "   hg_percentile(hg_merge(duration_histogram), 0.95) p95 FROM agent_rollups_hourly"
            + "   WHERE organization_id = ? AND window_start >= ? AND window_start < ? GROUP BY 1),"
            + " i AS (SELECT window_start h, sum(event_count) ev, sum(error_count) errors,"
            + "   hg_percentile(hg_merge(latency_histogram), 0.95) p95"
            + "   FROM integration_rollups_hourly"
            + "   WHERE organization_id = ? AND window_start >= ? AND window_start < ? GROUP BY 1),"
            + " al AS (SELECT window_start h, count(*) firing FROM alerts WHERE state = 'FIRING'"
            + "   AND organization_id = ? AND window_start >= ? AND window_start < ? GROUP BY 1),"
            + " hours AS (SELECT h FROM t UNION SELECT h FROM a UNION SELECT h FROM i"
            + "   UNION SELECT h FROM al)"
            + " SELECT hours.h, coalesce(t.ev, 0), coalesce(t.done, 0), coalesce(t.failed, 0),"
            + "   coalesce(a.runs, 0), coalesce(a.failed, 0), coalesce(a.cost, 0), a.p95,"
            + "   coalesce(i.ev, 0), coalesce(i.errors, 0), i.p95, coalesce(al.firing, 0)"
            + " FROM hours LEFT JOIN t USING (h) LEFT JOIN a USING (h) LEFT JOIN i USING (h)"
            + " LEFT JOIN al USING (h) ORDER BY hours.h";
    try (Connection c = connect(organization);
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int block = 0; block < 4; block++) {
        ps.setObject(block * 3 + 1, organization);
        ps.setTimestamp(block * 3 + 2, Timestamp.from(from));
        ps.setTimestamp(block * 3 + 3, Timestamp.from(to));
      }
      List<Hour> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Hour(
                  rs.getTimestamp(1).toInstant(),
                  rs.getLong(2),
                  rs.getLong(3),
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  nanIfNull(rs, 8),
                  rs.getLong(9),
                  rs.getLong(10),
                  nanIfNull(rs, 11),
                  rs.getLong(12)));
        }
      }
      c.commit();
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the hourly report: " + e.getMessage(), e);
    }
  }

  /** get_organization_analytics for the UTC days of [from, to], as JSON text. */
  public String summary(UUID organization, Instant from, Instant to) {
    return Analytics.on(dataSource)
        .organizationAnalytics(
            organization,
            LocalDate.ofInstant(from, ZoneOffset.UTC),
            LocalDate.ofInstant(to, ZoneOffset.UTC));
  }

  /** get_agent_performance_metrics over the last {@code period}, best first. */
  public List<Analytics.AgentPerformance> agents(UUID organization, java.time.Duration period) {
    return Analytics.on(dataSource).agentPerformance(organization, period);
  }

  private Connection connect(UUID organization) throws SQLException {
    Connection c = dataSource.getConnection();
    c.setAutoCommit(false);
    c.setReadOnly(true);
    try (PreparedStatement ps =
        c.prepareStatement("SELECT set_config('hourglass.organization_id', ?, true)")) {
      ps.setString(1, organization.toString());
      ps.execute();
    }
    return c;
  }

  private static double nanIfNull(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? Double.NaN : v;
  }
}
