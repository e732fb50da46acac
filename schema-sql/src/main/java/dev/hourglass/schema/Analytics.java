package dev.hourglass.schema;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Analyst queries over the rollup tables, for the CLI's {@code report} command: reads
 * get_organization_analytics, get_agent_performance_metrics and task_rollups_hourly; writes
 * nothing. Each call runs in its own transaction with {@code hourglass.organization_id} set to the
 * organization asked for, so it works for an {@code hourglass_analyst} login under row-level
 * security as well as for the owner.
 */
public final class Analytics {
  private final DataSource dataSource;

  private Analytics(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** Queries through {@code dataSource}. */
  public static Analytics on(DataSource dataSource) {
    return new Analytics(dataSource);
  }

  /** One agent's figures over a period (see get_agent_performance_metrics). */
  public record AgentPerformance(
      UUID agentId,
      String agentName,
      long totalTasks,
      BigDecimal successRatePercent,
      Duration averageCompletionTime,
      BigDecimal totalCostDollars,
      BigDecimal performanceScore) {}

  /** One project's hour of tasks, with the p95 of task durations in ms (NaN when none). */
  public record TaskHour(
      UUID projectId,
      Instant windowStart,
      long eventCount,
      long createdCount,
      long completedCount,
      long failedCount,
      double durationP95Millis,
      boolean isFinal) {}

  /** get_organization_analytics as JSON text: period, summary and daily trends (UTC days). */
  public String organizationAnalytics(UUID organization, LocalDate from, LocalDate to) {
    return inTransaction(
        organization,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT get_organization_analytics(?, ?, ?)::text")) {
            ps.setObject(1, organization);
            ps.setObject(2, from);
            ps.setObject(3, to);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getString(1);
            }
          }
        });
  }

  /** get_agent_performance_metrics for the last {@code period}, best performance first. */
  public List<AgentPerformance> agentPerformance(UUID organization, Duration period) {
    return inTransaction(
        organization,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT agent_id, agent_name, total_tasks, success_rate,"
                      + " (EXTRACT(EPOCH FROM avg_completion_time) * 1000)::bigint AS avg_ms,"
                      + " total_cost, performance_score"
                      + " FROM get_agent_performance_metrics(?, make_interval(secs => ?))")) {
            ps.setObject(1, organization);
            ps.setDouble(2, period.toMillis() / 1000.0);
            List<AgentPerformance> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                Long avgMillis = rs.getObject("avg_ms", Long.class);
                out.add(
                    new AgentPerformance(
                        rs.getObject("agent_id", UUID.class),
                        rs.getString("agent_name"),
                        rs.getLong("total_tasks"),
                        rs.getBigDecimal("success_rate"),
                        avgMillis == null ? null : Duration.ofMillis(avgMillis),
                        rs.getBigDecimal("total_cost"),
                        rs.getBigDecimal("performance_score")));
              }
            }
            return out;
          }
        });
  }

  /** The organization's task hours with window_start in [from, to), by project and hour. */
  public List<TaskHour> taskHours(UUID organization, Instant from, Instant to) {
    return inTransaction(
        organization,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT project_id, window_start, event_count, created_count, completed_count,"
                      + " failed_count, hg_percentile(duration_histogram, 0.95) AS p95, is_final"
                      + " FROM task_rollups_hourly"
                      + " WHERE organization_id = ? AND window_start >= ? AND window_start < ?"
                      + " ORDER BY project_id, window_start")) {
            ps.setObject(1, organization);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            List<TaskHour> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new TaskHour(
                        rs.getObject("project_id", UUID.class),
                        rs.getTimestamp("window_start").toInstant(),
                        rs.getLong("event_count"),
                        rs.getLong("created_count"),
                        rs.getLong("completed_count"),
                        rs.getLong("failed_count"),
                        rs.getDouble("p95"),
                        rs.getBoolean("is_final")));
              }
            }
            return out;
          }
        });
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inTransaction(UUID organization, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        try (PreparedStatement set =
            c.prepareStatement("SELECT set_config('hourglass.organization_id', ?, true)")) {
          set.setString(1, organization.toString());
          set.executeQuery().close();
        }
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "analytics query for organization " + organization + " failed: " + e.getMessage(), e);
    }
  }
}
